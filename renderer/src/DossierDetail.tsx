// Chi tiết hồ sơ (Hình 10) on one working screen: the title with the declaration's kind in full, the
// Số hồ sơ and printing beside it, the declaration as the form lays it out with the seed's labels,
// the ID-card images and the personal photo (zoom and rotate in antd's Image preview), and at the
// bottom the decision bar (DecisionBar.tsx), sticky so it is reachable without scrolling. Opening
// claims the dossier and puts the focus on the first decision control; Esc is Thoát (and releases
// the claim). The seed's pop-up notices follow a decision (Hình 12, the code-not-found warning).
import { Alert, App, Button, Descriptions, Result, Space, Spin, Tag, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { DecisionResult, RejectionReason } from '../../contract/domain';
import { KIND_LABEL, OUTCOME_LABEL, STATUS_LABEL } from '../../contract/domain';
import { markedMobile } from '../../contract/identity';
import { MobileText } from './MobileText';
import type { DossierView, OutboxItem } from '../../contract/workstation';
import { api, call, errorMessage } from './api';
import { DecisionBar, DecisionPopup, Empty, type DecisionBarHandle } from './DecisionBar';
import { formatDate, formatDateTime } from './format';
import { IntakePanel } from './intake/IntakePanel';
import { DossierPrintActions } from './print/DossierPrintActions';
import { failureText, printJob } from './print/deliver';

const KIND_COLOR = { register: 'blue', update: 'purple', stop: 'volcano' } as const;

/** A value, or the one empty mark of the detail. */
const show = (v: ReactNode): ReactNode => (v === null || v === undefined || v === '' ? <Empty /> : v);

/** True when an Esc belongs to something else: a dialog, a preview, an open dropdown. */
function escapeTakenElsewhere(e: KeyboardEvent): boolean {
  if (e.defaultPrevented) return true;
  const t = e.target as HTMLElement | null;
  if (
    t?.closest?.(
      '[role="dialog"], .ant-drawer, .ant-image-preview, .ant-select-dropdown, .ant-picker-dropdown',
    )
  )
    return true;
  if (t?.getAttribute?.('aria-expanded') === 'true') return true;
  // an open modal, drawer (Chi tiết đồng bộ) or preview anywhere on the page: Esc closes that first
  return (
    document.querySelector(
      '.ant-modal-wrap:not([style*="display: none"]) .ant-modal, .ant-drawer-open, .ant-image-preview',
    ) !== null
  );
}

export function DossierDetail({
  id,
  me,
  onClose,
}: {
  id: string;
  /** The signed-in officer's user name and display name: their own claim is not a warning. */
  me: readonly string[];
  onClose: () => void;
}) {
  const { message } = App.useApp();
  const [view, setView] = useState<DossierView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [reasons, setReasons] = useState<RejectionReason[]>([]);
  const [done, setDone] = useState<OutboxItem | null>(null);
  const [popup, setPopup] = useState<DecisionResult | null>(null);
  const bar = useRef<DecisionBarHandle>(null);
  const focused = useRef(false);
  /** The decision recorded on this screen, as its events update it. */
  const doneRef = useRef<OutboxItem | null>(null);

  const load = useCallback(async () => {
    try {
      setView(await call('dossiers.open', { id }));
    } catch (err) {
      setLoadError(errorMessage(err));
    }
  }, [id]);

  // After the decision reached the service: its state, reviewer, result and steps, as the store now has
  // them (dossiers.get reads the store: no new claim).
  const refresh = useCallback(() => {
    call('dossiers.get', { id })
      .then(setView)
      .catch(() => undefined);
  }, [id]);

  useEffect(() => {
    // load() sets state after the service answers, not synchronously in the effect.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    load().catch(() => undefined);
    call('reasons.list', {})
      .then(setReasons)
      .catch(() => setReasons([]));
    return () => {
      void call('dossiers.close', { id });
    };
  }, [id, load]);

  // The first decision control takes the focus once the dossier is on screen.
  useEffect(() => {
    if (view && !focused.current) {
      focused.current = true;
      requestAnimationFrame(() => bar.current?.focus());
    }
  }, [view]);

  // Esc = Thoát, unless a dialog, a drawer, a preview or a dropdown is open. What is open is looked
  // at before anyone handles the key (capture phase): a drawer that closes on this Esc is already
  // gone from the page when the key reaches the window.
  // The listeners stay the same for the detail's life (onClose is read through a ref): a drawer's
  // close re-renders the app in the middle of the key's dispatch, and listeners added then would see
  // the key without its capture.
  const closeRef = useRef(onClose);
  useEffect(() => {
    closeRef.current = onClose;
  }, [onClose]);
  useEffect(() => {
    let taken = false;
    const before = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') taken = escapeTakenElsewhere(e);
    };
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'Escape' || taken || e.defaultPrevented) return;
      e.preventDefault();
      closeRef.current();
    };
    window.addEventListener('keydown', before, true);
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', before, true);
      window.removeEventListener('keydown', onKey);
    };
  }, []);

  // The decision's later fate (synced after reconnecting, conflict) shows here as it happens.
  useEffect(
    () =>
      api.on((e) => {
        if (e.type === 'decision.updated' && e.item.dossierId === id) {
          const mine = doneRef.current;
          if (mine && mine.id === e.item.id) {
            if (mine.state !== 'synced' && e.item.state === 'synced') setPopup(e.item.result);
            doneRef.current = e.item;
            setDone(e.item);
          }
          if (e.item.state === 'conflict') void load();
          else if (e.item.state === 'synced') refresh();
        }
      }),
    [id, load, refresh],
  );

  const onRecorded = (res: { item: OutboxItem; synced: boolean }): void => {
    doneRef.current = res.item;
    setDone(res.item);
    if (res.item.state === 'synced') setPopup(res.item.result);
    if (res.item.state === 'conflict') void load();
    else refresh();
  };

  const printGuide = async (): Promise<void> => {
    try {
      const job = await call('print.document', { dossierId: id, document: 'notice' });
      void message.success(await printJob(job));
    } catch (err) {
      void message.error(failureText(err));
    }
  };

  if (loadError) {
    return (
      <Result
        status="warning"
        title={loadError}
        extra={
          <Button type="primary" onClick={onClose} autoFocus>
            Thoát
          </Button>
        }
      />
    );
  }
  if (!view) return <Spin description="Đang mở hồ sơ…" style={{ display: 'block', marginTop: 80 }} />;
  const d = view.dossier;
  const latest = done ?? view.decision;
  const changes = d.update
    ? [
        d.update.email !== undefined ? ['Địa chỉ thư điện tử', d.email ?? '', d.update.email ?? ''] : null,
        d.update.mobile !== undefined
          ? ['Điện thoại di động', markedMobile(d.mobile), markedMobile(d.update.mobile ?? '')]
          : null,
        d.update.certificate !== undefined
          ? ['Chứng thư số', d.certificate?.serial ?? '', d.update.certificate?.serial ?? '']
          : null,
      ].filter((x): x is string[] => x !== null)
    : [];

  return (
    <div className="ws-detail">
      <article className="ws-detail-card" aria-label={`Chi tiết hồ sơ ${d.dossierNumber}`}>
        <header className="ws-detail-head">
          <div className="ws-detail-title">
            <Space size={8} wrap>
              <Typography.Title level={4} style={{ margin: 0 }}>
                TỜ KHAI
              </Typography.Title>
              <Tag color={KIND_COLOR[d.kind]} className="ws-kind-tag" data-testid="dossier-kind">
                {KIND_LABEL[d.kind]}
              </Tag>
            </Space>
            <Typography.Text strong>
              Đăng ký sử dụng, điều chỉnh thông tin và ngừng sử dụng phương thức giao dịch điện tử trong lĩnh
              vực bảo hiểm xã hội
            </Typography.Text>
            <Typography.Text>Kính gửi: Bảo hiểm xã hội Việt Nam.</Typography.Text>
          </div>
          <div className="ws-detail-number">
            <Typography.Text strong style={{ fontSize: 16 }}>
              Số hồ sơ: {d.dossierNumber}
            </Typography.Text>
            <DossierPrintActions view={view} />
          </div>
        </header>

        {view.sameCode.length > 0 && (
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 12 }}
            title={`Mã số BHXH ${d.bhxhCode} còn hồ sơ khác: ${view.sameCode
              .map(
                (s) =>
                  `${s.dossierNumber} (${s.outcome ? OUTCOME_LABEL[s.outcome] : STATUS_LABEL[s.status]})`,
              )
              .join('; ')}. Kiểm tra trước khi duyệt.`}
          />
        )}
        {view.claim && !me.includes(view.claim.claimedBy) && (
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 12 }}
            title={`Hồ sơ đang xử lý bởi ${view.claim.claimedBy} đến ${formatDateTime(view.claim.claimedUntil)}.`}
          />
        )}

        <Descriptions size="small" bordered column={2} title="Thông tin cơ bản">
          <Descriptions.Item label="Tên cơ quan/tổ chức/cá nhân">{show(d.fullName)}</Descriptions.Item>
          <Descriptions.Item label="Mã số bảo hiểm xã hội">{show(d.bhxhCode)}</Descriptions.Item>
          <Descriptions.Item label="Số CMND/HC/CC">{show(d.idNumber)}</Descriptions.Item>
          <Descriptions.Item label="Ngày sinh">{show(formatDate(d.dateOfBirth))}</Descriptions.Item>
          <Descriptions.Item label="Địa chỉ liên hệ" span={2}>
            {show(d.address)}
          </Descriptions.Item>
        </Descriptions>
        <Descriptions size="small" bordered column={2} title="Chứng thư số" style={{ marginTop: 12 }}>
          <Descriptions.Item label="Số chứng thư số của cơ quan, tổ chức, cá nhân">
            {show(d.certificate?.serial)}
          </Descriptions.Item>
          <Descriptions.Item label="Tên tổ chức chứng thực chữ ký số">
            {show(d.certificate?.issuer)}
          </Descriptions.Item>
          <Descriptions.Item label="Thời hạn sử dụng chứng thư số" span={2}>
            Từ ngày: {show(formatDate(d.certificate?.validFrom))} Đến ngày:{' '}
            {show(formatDate(d.certificate?.validTo))}
          </Descriptions.Item>
        </Descriptions>
        <Descriptions size="small" bordered column={3} title="Người liên hệ" style={{ marginTop: 12 }}>
          <Descriptions.Item label="Người liên hệ">{show(d.contactPerson)}</Descriptions.Item>
          <Descriptions.Item label="Địa chỉ thư điện tử">{show(d.email)}</Descriptions.Item>
          <Descriptions.Item label="Điện thoại di động">
            {show(d.mobile ? <MobileText value={d.mobile} /> : null)}
          </Descriptions.Item>
        </Descriptions>
        {d.kind === 'update' && changes.length > 0 && (
          <Descriptions
            size="small"
            bordered
            column={1}
            title="Thông tin điều chỉnh"
            style={{ marginTop: 12 }}
          >
            {changes.map(([label, from, to]) => (
              <Descriptions.Item key={label} label={label}>
                {show(from)} → {show(to)}
              </Descriptions.Item>
            ))}
          </Descriptions>
        )}
        {d.kind === 'stop' && d.stop && (
          <Descriptions size="small" bordered column={2} title="Ngừng sử dụng" style={{ marginTop: 12 }}>
            <Descriptions.Item label="Ngày ngừng giao dịch điện tử">
              {show(formatDate(d.stop.stopDate))}
            </Descriptions.Item>
            <Descriptions.Item label="Lý do ngừng">{show(d.stop.reason)}</Descriptions.Item>
          </Descriptions>
        )}
        <Descriptions size="small" bordered column={2} style={{ marginTop: 12 }}>
          <Descriptions.Item label="Đăng ký giao dịch tại">
            {d.channel === 'portal'
              ? 'Cổng thông tin điện tử của Bảo hiểm xã hội Việt Nam'
              : `Tổ chức I-VAN${d.ivanName ? `: ${d.ivanName}` : ''}`}
          </Descriptions.Item>
          <Descriptions.Item label="Hình thức nộp hồ sơ">
            {d.submissionMethod === 'post'
              ? 'Tại nhà thông qua dịch vụ bưu chính công ích'
              : d.submissionMethod === 'mobile_desk'
                ? `Tại bàn đăng ký di động${d.deskName ? ` ${d.deskName}` : ''}`
                : 'Tại nơi tiếp nhận hồ sơ theo quy định của Bảo hiểm xã hội Việt Nam'}
          </Descriptions.Item>
          <Descriptions.Item label="Cơ quan tiếp nhận">
            {show(view.agencyName ?? d.agencyCode)}
          </Descriptions.Item>
          <Descriptions.Item label="Địa chỉ cơ quan">
            {show(view.agencyAddress)}
            {view.agencyPhone ? ` — Số điện thoại: ${view.agencyPhone}` : ''}
          </Descriptions.Item>
          <Descriptions.Item label="Ngày tiếp nhận">
            {show(formatDateTime(d.receivedAt ?? d.declaredAt))}
          </Descriptions.Item>
          <Descriptions.Item label="Ngày kê khai">{show(formatDateTime(d.declaredAt))}</Descriptions.Item>
        </Descriptions>
        <IntakePanel dossier={d} />
      </article>

      <DecisionBar
        ref={bar}
        view={view}
        latest={latest}
        reasons={reasons}
        onRecorded={onRecorded}
        onClose={onClose}
      />
      <DecisionPopup
        result={popup}
        onClose={() => {
          setPopup(null);
          requestAnimationFrame(() => bar.current?.focus());
        }}
        onPrintGuide={() => void printGuide()}
      />
    </div>
  );
}
