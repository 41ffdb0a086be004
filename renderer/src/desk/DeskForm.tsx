// Kê khai mới: a Mẫu 01 declared on the spot at a mobile desk (or a counter), with the seed's labels in
// the form's order and its three kinds. Keyboard first: Tab or Enter go to the next field, Ctrl+Enter
// is Ghi nhận, Ctrl+P In tờ khai, F3 Tra cứu mã số BHXH, Alt+1…4 Chụp ảnh (shown on the buttons).
// A reader's scan of the CCCD QR (HID-POS or keyboard wedge) or the card's QR in a scanned or
// photographed image fills the fields it carries and marks them "từ thẻ"; OCR of the card's front
// only suggests (marked with its confidence). Every field is checked as it is typed with the rule's
// Vietnamese message (contract/deskForm.ts, the service's own rules). The form is kept as a draft in
// the encrypted store as it is typed, so a crash loses nothing. Ghi nhận needs Xác nhận nhân thân and
// the signed page, and records everything in one local transaction. The same form corrects a
// declaration the service refused ("Sửa và gửi lại"): only the named field needs typing.
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Col,
  Form,
  Input,
  Modal,
  Radio,
  Row,
  Select,
  Space,
  Tag,
  Typography,
  message,
} from 'antd';
import {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent as ReactKeyboardEvent,
  type ReactNode,
} from 'react';
import {
  cardValues,
  checkDeskValues,
  DESK_LABEL,
  EMPTY_DESK_VALUES,
  type CardValues,
  type DeskField,
  type DeskValues,
  type FieldSource,
} from '../../../contract/deskForm';
import { parseBhytCardNumber } from '../../../contract/desk';
import type { SessionInfo } from '../../../contract/workstation';
import type { DeskDeclaration, DeskImage, DeskStatus } from '../../../contract/workstationDesk';
import { api, ApiFailure, call, errorMessage } from '../api';
import { formatDateTime } from '../format';
import { claimReader } from '../intake/readerClaim';
import { failureText, printJob } from '../print/deliver';
import { DeskDecision, decisionInput, NO_DECISION, type DeskDecisionValue } from './DeskDecision';
import { DeskImages } from './DeskImages';
import { DeskStateTag, Kbd, SourceTag } from './deskUi';
import { RegistrySearch } from './RegistrySearch';

type Sources = Partial<Record<DeskField, FieldSource>>;

const today = (): string => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);

/** Enter moves to the next field, as Tab does (not in a text area, a list that is open, or on a button). */
function enterMovesOn(e: ReactKeyboardEvent<HTMLDivElement>): void {
  if (e.key !== 'Enter' || e.ctrlKey || e.altKey || e.metaKey || e.shiftKey) return;
  const t = e.target as HTMLElement;
  if (t.tagName === 'TEXTAREA' || t.tagName === 'BUTTON' || t.closest('.ant-select-open')) return;
  if (t.closest('.ant-select') && t.getAttribute('aria-expanded') === 'true') return;
  const all = Array.from(
    e.currentTarget.querySelectorAll<HTMLElement>(
      'input:not([type=hidden]):not([disabled]), textarea, [role=combobox]',
    ),
  ).filter((el) => el.offsetParent !== null && el.tabIndex >= 0);
  const i = all.indexOf(t);
  if (i < 0) return;
  e.preventDefault();
  all[i + 1]?.focus();
}

export function DeskForm({
  session,
  correcting,
  onRecorded,
  onOpenDeclaration,
  onOpenList,
}: {
  session: SessionInfo;
  /** a declaration the service refused: the form corrects it instead of starting a new one */
  correcting?: DeskDeclaration | null;
  onRecorded?: (id: string) => void;
  onOpenDeclaration: (id: string) => void;
  onOpenList: () => void;
}) {
  const [decl, setDecl] = useState<DeskDeclaration | null>(correcting ?? null);
  const [values, setValues] = useState<DeskValues>(correcting?.values ?? EMPTY_DESK_VALUES);
  const [sources, setSources] = useState<Sources>(correcting?.sources ?? {});
  const [touched, setTouched] = useState<ReadonlySet<DeskField>>(new Set());
  const [attempted, setAttempted] = useState(!!correcting);
  const [images, setImages] = useState<DeskImage[]>(correcting?.images ?? []);
  const [identity, setIdentity] = useState<{ at: string } | null>(null);
  const [decision, setDecision] = useState<DeskDecisionValue>(NO_DECISION);
  const [status, setStatus] = useState<DeskStatus | null>(null);
  const [extraErrors, setExtraErrors] = useState<Record<string, string>>(correcting?.refused?.fields ?? {});
  const [savedAt, setSavedAt] = useState<string | null>(null);
  const [busy, setBusy] = useState<'record' | 'print' | null>(null);
  const [search, setSearch] = useState(false);
  const [done, setDone] = useState<DeskDeclaration | null>(null);
  const [deskNameDraft, setDeskNameDraft] = useState<string | null>(null);
  const correctingMode = !!correcting;
  const again = useRef<((sameIdToday: boolean) => Promise<void>) | null>(null);

  const start = useCallback(async (fresh: boolean) => {
    try {
      const d = await call('desk.draft', { fresh });
      setDecl(d);
      setValues(d.values);
      setSources(d.sources);
      setImages(d.images);
      setTouched(new Set());
      setAttempted(false);
      setIdentity(null);
      setDecision(NO_DECISION);
      setExtraErrors({});
      setDone(null);
    } catch (err) {
      void message.error(errorMessage(err));
    }
  }, []);

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- loads after the services answer
    if (!correctingMode) void start(false);
    call('desk.status', {}).then(setStatus, () => undefined);
  }, [correctingMode, start]);

  // The draft is kept as it is typed (nothing typed is lost on a crash).
  useEffect(() => {
    if (!decl || decl.state !== 'draft' || done) return;
    const t = window.setTimeout(() => {
      call('desk.saveDraft', { id: decl.id, values, sources })
        .then(() => setSavedAt(new Date().toISOString()))
        .catch(() => undefined);
    }, 400);
    return () => window.clearTimeout(t);
  }, [decl, values, sources, done]);

  /**
   * A reader's scan of the card is the officer's deliberate act: its fields replace the form's. A QR
   * or OCR read from an image only fills empty fields; a QR that disagrees with what is there is said.
   */
  const applyCard = useCallback(
    (card: CardValues, how: string, replace: boolean) => {
      const clash: string[] = [];
      const filled: DeskField[] = [];
      const next = { ...values };
      const nextSources = { ...sources };
      for (const [k, val] of Object.entries(card.values) as Array<[DeskField, string]>) {
        const cur = String(values[k] ?? '').trim();
        if (replace || !cur) {
          (next as Record<string, string>)[k] = val;
          const src = card.sources[k];
          if (src) nextSources[k] = src;
          filled.push(k);
        } else if (card.sources[k]?.from === 'qr' && cur !== val && k !== 'contactPerson' && k !== 'idKind')
          clash.push(DESK_LABEL[k]);
      }
      setValues(next);
      setSources(nextSources);
      const names = filled
        .filter((k) => k !== 'idKind' && k !== 'contactPerson')
        .map((k) => DESK_LABEL[k])
        .join(', ');
      if (names) void message.success(`${how}: ${names}.`);
      if (clash.length > 0)
        void message.warning(
          `${how} khác với tờ khai ở: ${clash.join(', ')}. Kiểm tra lại thẻ và người kê khai.`,
        );
      for (const w of card.warnings) void message.warning(w);
    },
    [values, sources],
  );

  const readText = useCallback(
    async (text: string) => {
      try {
        const r = await call('desk.readCard', { text });
        if (r.found) {
          void message.info(`Mở tờ khai ${r.found.dossierNumber ?? r.found.ref}.`);
          onOpenDeclaration(r.found.id);
        } else if (r.card) applyCard(r.card, 'Đã điền từ mã QR thẻ CCCD', true);
      } catch (err) {
        void message.error(errorMessage(err));
      }
    },
    [applyCard, onOpenDeclaration],
  );

  // The reader belongs to this form while it is shown: a scan fills it instead of opening a dossier.
  useEffect(() => {
    if (correctingMode) return;
    return claimReader({
      text: (text) => void readText(text),
      hid: (e) => {
        if (e.recognition?.raw) void readText(e.recognition.raw);
        else if (!e.result.ok)
          void message.error(
            e.result.error.code === 'qr_invalid'
              ? 'Mã vừa quét không phải mã QR của thẻ CCCD (hay mã tạm của một tờ khai): biểu mẫu không thay đổi.'
              : `Không đọc được mã vừa quét: ${e.result.error.message}`,
          );
      },
    });
  }, [correctingMode, readText]);

  // Images recognised in the background: a card's QR fills the form, OCR suggests.
  useEffect(
    () =>
      api.on((e) => {
        if (e.type !== 'desk.image' || e.image.declarationId !== decl?.id) return;
        setImages((list) => {
          const current = list.find((i) => i.role === e.image.role);
          // an event about an older image of the role does not replace the newer one
          if (current && current.id !== e.image.id && current.createdAt > e.image.createdAt) return list;
          return [...list.filter((i) => i.role !== e.image.role), e.image];
        });
        const r = e.image.recognition;
        if (!e.image.recognizing && r && (e.image.role === 'idFront' || e.image.role === 'idBack')) {
          const card = cardValues(r);
          if (card.ok)
            applyCard(
              card.value,
              r.kind === 'cccd_qr' ? 'Mã QR trên ảnh thẻ' : 'Gợi ý từ chữ trên thẻ',
              false,
            );
        }
      }),
    [decl?.id, applyCard],
  );

  const context = useMemo(
    () => ({
      clientId: decl?.id ?? '00000000-0000-4000-8000-000000000000',
      agencyCode: session.user.agencyCode,
      deskName: status?.deskName ?? '',
      declaredAt: new Date().toISOString(),
      today: today(),
    }),
    [decl?.id, session.user.agencyCode, status?.deskName],
  );
  const check = useMemo(() => checkDeskValues(values, context), [values, context]);
  const errorOf = (f: DeskField): string | undefined =>
    extraErrors[f] ?? (attempted || touched.has(f) ? check.fields[f] : undefined);

  const set = (f: DeskField, v: string): void => {
    setValues((cur) => ({ ...cur, [f]: v }));
    setSources((s) => {
      if (!s[f]) return s;
      const next = { ...s };
      delete next[f];
      return next;
    });
    setExtraErrors((x) => {
      if (!x[f]) return x;
      const next = { ...x };
      delete next[f];
      return next;
    });
  };
  const blur = (f: DeskField): void => setTouched((t) => (t.has(f) ? t : new Set([...t, f])));
  /** A refusal of Ghi nhận that no longer holds (the page stored, the tick given) leaves the screen. */
  const settled = useCallback(
    (key: 'formPage1' | 'identityConfirmed'): void =>
      setExtraErrors((x) => {
        if (!x[key]) return x;
        const next = { ...x };
        delete next[key];
        return next;
      }),
    [],
  );
  // Stable, so that the image slots (memo) are not drawn again for every key typed or card read.
  const onImageStored = useCallback(
    (image: DeskImage) => {
      setImages((list) => [...list.filter((i) => i.role !== image.role), image]);
      if (image.role === 'formPage1') settled('formPage1');
    },
    [settled],
  );

  const onBhyt = (): void => {
    blur('bhytCard');
    const card = parseBhytCardNumber(values.bhytCard);
    if (card.ok && !values.bhxhCode.trim()) {
      setValues((v) => ({ ...v, bhxhCode: card.value.bhxhCode }));
      setSources((s) => ({ ...s, bhxhCode: { from: 'bhyt', confidence: 1 } }));
    }
  };

  const field = (
    f: DeskField,
    node: ReactNode,
    opts: { required?: boolean; span?: number; label?: string } = {},
  ) => {
    const err = errorOf(f);
    return (
      <Col span={opts.span ?? 12} key={f}>
        <Form.Item
          label={
            <span>
              {opts.label ?? DESK_LABEL[f]}
              {opts.required && <Typography.Text type="danger"> *</Typography.Text>}
              <SourceTag source={sources[f]} />
            </span>
          }
          htmlFor={`desk-${f}`}
          validateStatus={err ? 'error' : undefined}
          help={err}
          style={{ marginBottom: 8 }}
        >
          {node}
        </Form.Item>
      </Col>
    );
  };
  const text = (
    f: DeskField,
    opts: {
      required?: boolean;
      span?: number;
      placeholder?: string;
      onBlur?: () => void;
      label?: string;
    } = {},
  ) =>
    field(
      f,
      <Input
        id={`desk-${f}`}
        aria-label={opts.label ?? DESK_LABEL[f]}
        value={values[f]}
        placeholder={opts.placeholder}
        onChange={(e) => set(f, e.target.value)}
        onBlur={opts.onBlur ?? (() => blur(f))}
      />,
      opts,
    );

  const print = useCallback(async () => {
    if (!decl) return;
    setAttempted(true);
    if (!check.request) {
      void message.error('Tờ khai còn thông tin chưa hợp lệ: sửa các ô được đánh dấu rồi in.');
      return;
    }
    setBusy('print');
    try {
      const job = await call('desk.print', { id: decl.id, ...(decl.state === 'draft' ? { values } : {}) });
      void message.success(await printJob(job));
    } catch (err) {
      void message.error(failureText(err));
    } finally {
      setBusy(null);
    }
  }, [decl, check.request, values]);

  const record = useCallback(
    async (sameIdToday = false) => {
      if (!decl || busy) return;
      setAttempted(true);
      if (correctingMode) {
        setBusy('record');
        try {
          const d = await call('desk.correct', { id: decl.id, values });
          void message.success('Đã sửa, chờ gửi lại.');
          onRecorded?.(d.id);
        } catch (err) {
          void message.error(errorMessage(err));
          if (err instanceof ApiFailure && err.error.fields) setExtraErrors(err.error.fields);
        } finally {
          setBusy(null);
        }
        return;
      }
      setBusy('record');
      try {
        const r = await call('desk.record', {
          id: decl.id,
          values,
          sources,
          identityConfirmed: identity !== null,
          decision: decisionInput(decision),
          sameIdToday,
        });
        setDone(r.declaration);
        void message.success(`Đã lưu, chờ gửi — mã tạm ${r.declaration.ref}.`);
        onRecorded?.(r.declaration.id);
      } catch (err) {
        const fields = err instanceof ApiFailure ? (err.error.fields ?? {}) : {};
        if (err instanceof ApiFailure && err.error.code === 'duplicate' && fields.sameIdToday) {
          const first = fields.sameIdToday;
          Modal.confirm({
            title: 'Số giấy tờ đã kê khai hôm nay',
            content: err.error.message,
            okText: 'Tiếp tục kê khai',
            cancelText: 'Mở tờ khai đã có',
            onOk: () => void again.current?.(true),
            onCancel: () => onOpenDeclaration(first),
          });
        } else {
          void message.error(errorMessage(err));
          setExtraErrors(fields);
        }
      } finally {
        setBusy(null);
      }
    },
    [decl, busy, correctingMode, values, sources, identity, decision, onRecorded, onOpenDeclaration],
  );

  // "Tiếp tục kê khai" after the same-ID warning calls the current record again.
  useEffect(() => {
    again.current = record;
  }, [record]);

  // Ctrl+Enter Ghi nhận, Ctrl+P In tờ khai, F3 Tra cứu mã số BHXH, Ctrl+N the next person.
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const ctrl = e.ctrlKey || e.metaKey;
      if (ctrl && e.key === 'Enter' && !done) {
        e.preventDefault();
        void record();
      } else if (ctrl && e.key.toLowerCase() === 'p' && !correctingMode) {
        e.preventDefault();
        void print();
      } else if (e.key === 'F3' && !done) {
        e.preventDefault();
        setSearch(true);
      } else if (ctrl && e.key.toLowerCase() === 'n' && done) {
        e.preventDefault();
        void start(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [record, print, start, done, correctingMode]);

  useEffect(
    () =>
      api.on((e) => {
        if (e.type === 'desk.changed' && e.id === done?.id)
          void call('desk.get', { id: e.id }).then(setDone, () => undefined);
      }),
    [done?.id],
  );

  if (!decl) return null;

  if (done) {
    return (
      <Card size="small" title="Kê khai mới">
        <Space direction="vertical" size={8} style={{ width: '100%' }}>
          <Alert
            type="success"
            showIcon
            role="status"
            title={
              done.dossierNumber
                ? `Đã gửi: số hồ sơ ${done.dossierNumber} (mã tạm ${done.ref}) — ${done.values.fullName}`
                : `Đã lưu, chờ gửi — mã tạm ${done.ref} — ${done.values.fullName}`
            }
            description={
              <Space>
                <DeskStateTag state={done.state} />
                {done.refused && <Typography.Text type="danger">{done.refused.lastError}</Typography.Text>}
              </Space>
            }
          />
          <Space wrap>
            <Button type="primary" autoFocus onClick={() => void start(true)}>
              Kê khai người tiếp theo <Kbd>Ctrl+N</Kbd>
            </Button>
            <Button onClick={() => onOpenDeclaration(done.id)}>Xem tờ khai</Button>
            <Button onClick={onOpenList}>Danh sách kê khai tại bàn</Button>
          </Space>
        </Space>
      </Card>
    );
  }

  const disk = status?.disk;
  const saveDeskName = async (): Promise<void> => {
    if (deskNameDraft === null) return;
    try {
      setStatus(await call('desk.setName', { deskName: deskNameDraft }));
      setDeskNameDraft(null);
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };

  return (
    <Card
      size="small"
      title={
        <Space wrap size={8}>
          <Typography.Text strong>
            {correctingMode ? 'Sửa và gửi lại tờ khai' : 'Kê khai mới'} — Tờ khai Mẫu 01
          </Typography.Text>
          <Tag color="purple" aria-label="Mã tạm">
            Mã tạm: {decl.ref}
          </Tag>
        </Space>
      }
      extra={
        <Space size={6}>
          <Typography.Text type="secondary">Bàn:</Typography.Text>
          {deskNameDraft === null ? (
            <Button
              size="small"
              type="link"
              onClick={() => setDeskNameDraft(status?.deskName ?? '')}
              style={{ padding: 0 }}
            >
              {status?.deskName || 'Đặt tên bàn'}
            </Button>
          ) : (
            <Input
              size="small"
              autoFocus
              aria-label="Tên bàn tiếp nhận lưu động"
              style={{ width: 200 }}
              value={deskNameDraft}
              placeholder="Ví dụ: KCN Quang Minh"
              onChange={(e) => setDeskNameDraft(e.target.value)}
              onPressEnter={() => void saveDeskName()}
              onBlur={() => void saveDeskName()}
            />
          )}
          {savedAt && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              Đã lưu nháp {formatDateTime(savedAt).slice(11)}
            </Typography.Text>
          )}
        </Space>
      }
    >
      {disk?.message && (
        <Alert
          type={disk.level === 'full' ? 'error' : 'warning'}
          showIcon
          role="alert"
          title={disk.message}
          style={{ marginBottom: 8 }}
        />
      )}
      {extraErrors.deskName && (
        <Alert type="error" showIcon title={extraErrors.deskName} style={{ marginBottom: 8 }} />
      )}
      {correcting?.refused && (
        <Alert
          type="error"
          showIcon
          role="alert"
          style={{ marginBottom: 8 }}
          title={`Hệ thống trung tâm từ chối tờ khai: ${correcting.refused.lastError ?? ''}`}
          description="Sửa ô được đánh dấu rồi chọn Gửi lại; các thông tin khác và ảnh được giữ nguyên."
        />
      )}
      {!correctingMode && (
        <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
          Quét mã QR trên thẻ CCCD bằng máy đọc (hoặc chụp, quét mặt thẻ có mã QR) để điền tự động.
        </Typography.Paragraph>
      )}
      <Row gutter={16}>
        <Col flex="1 1 560px">
          <div onKeyDown={enterMovesOn}>
            <Form layout="vertical" component="div" size="small">
              <Form.Item label={DESK_LABEL.kind} style={{ marginBottom: 8 }}>
                <Radio.Group
                  aria-label={DESK_LABEL.kind}
                  value={values.kind}
                  onChange={(e) => set('kind', e.target.value as string)}
                >
                  <Radio value="register">1. Đăng ký sử dụng</Radio>
                  <Radio value="update">2. Điều chỉnh thông tin</Radio>
                  <Radio value="stop">3. Ngừng sử dụng</Radio>
                </Radio.Group>
              </Form.Item>
              <Row gutter={8}>
                {text('fullName', { required: true, span: 24 })}
                {field(
                  'bhxhCode',
                  <Space.Compact style={{ width: '100%' }}>
                    <Input
                      id="desk-bhxhCode"
                      aria-label={DESK_LABEL.bhxhCode}
                      value={values.bhxhCode}
                      placeholder="Để trống: hệ thống tra theo số CCCD"
                      onChange={(e) => set('bhxhCode', e.target.value)}
                      onBlur={() => blur('bhxhCode')}
                    />
                    <Button onClick={() => setSearch(true)}>
                      Tra cứu <Kbd>F3</Kbd>
                    </Button>
                  </Space.Compact>,
                )}
                {text('bhytCard', { placeholder: 'Ví dụ: DN4272798001234', onBlur: onBhyt })}
                {field(
                  'idKind',
                  <Select
                    id="desk-idKind"
                    aria-label={DESK_LABEL.idKind}
                    value={values.idKind}
                    onChange={(v: string) => set('idKind', v)}
                    options={[
                      { value: 'cccd', label: 'CCCD (12 số)' },
                      { value: 'cmnd', label: 'CMND' },
                      { value: 'passport', label: 'Hộ chiếu' },
                    ]}
                  />,
                  { span: 6 },
                )}
                {text('idNumber', { required: true, span: 10 })}
                {text('oldIdNumber', { span: 8 })}
                {text('dateOfBirth', { required: true, span: 8, placeholder: 'dd/MM/yyyy' })}
                {field(
                  'gender',
                  <Radio.Group
                    aria-label={DESK_LABEL.gender}
                    value={values.gender}
                    onChange={(e) => set('gender', e.target.value as string)}
                  >
                    <Radio value="Nam">Nam</Radio>
                    <Radio value="Nữ">Nữ</Radio>
                  </Radio.Group>,
                  { required: true, span: 8 },
                )}
                {text('address', { required: true, span: 24 })}
                {text('certificateSerial', { span: 12 })}
                {text('certificateIssuer', { span: 12 })}
                {text('certificateFrom', { span: 12, placeholder: 'dd/MM/yyyy' })}
                {text('certificateTo', { span: 12, placeholder: 'dd/MM/yyyy' })}
                {text('contactPerson', { required: true, span: 12 })}
                {text('email', { span: 12 })}
                {text('mobile', { required: true, span: 12, placeholder: '0912 345 678' })}
              </Row>
              {values.kind === 'register' && (
                <Row gutter={8}>
                  {text('effectiveDate', { span: 12, placeholder: 'dd/MM/yyyy (để trống: từ hôm nay)' })}
                  {field(
                    'channel',
                    <Radio.Group
                      aria-label={DESK_LABEL.channel}
                      value={values.channel}
                      onChange={(e) => set('channel', e.target.value as string)}
                    >
                      <Radio value="portal">Cổng thông tin điện tử của BHXH Việt Nam</Radio>
                      <Radio value="ivan">Tổ chức I-VAN</Radio>
                    </Radio.Group>,
                    { span: 12 },
                  )}
                  {values.channel === 'ivan' && text('ivanName', { required: true, span: 24 })}
                </Row>
              )}
              {values.kind === 'update' && (
                <Row gutter={8}>
                  <Col span={24}>
                    <Typography.Text strong>2. Điều chỉnh thông tin</Typography.Text>{' '}
                    <Typography.Text type="secondary">
                      (chỉ ghi những nội dung có thay đổi, bổ sung)
                    </Typography.Text>
                  </Col>
                  {text('updateCertificateSerial', { span: 12 })}
                  {text('updateCertificateIssuer', { span: 12 })}
                  {text('updateCertificateFrom', { span: 12, placeholder: 'dd/MM/yyyy' })}
                  {text('updateCertificateTo', { span: 12, placeholder: 'dd/MM/yyyy' })}
                  {text('updateEmail', { span: 12 })}
                  {text('updateMobile', { span: 12 })}
                </Row>
              )}
              {values.kind === 'stop' && (
                <Row gutter={8}>
                  {text('stopDate', { required: true, span: 12, placeholder: 'dd/MM/yyyy' })}
                  {text('stopReason', { required: true, span: 12 })}
                </Row>
              )}
            </Form>
          </div>
        </Col>
        <Col flex="0 1 420px">
          <DeskImages
            declarationId={decl.id}
            refCode={decl.ref}
            images={images}
            readOnly={correctingMode}
            onStored={onImageStored}
          />
          {extraErrors.formPage1 && (
            <Typography.Paragraph type="danger" role="alert" style={{ marginTop: 4 }}>
              {extraErrors.formPage1}
            </Typography.Paragraph>
          )}
          {!correctingMode && (
            <div style={{ marginTop: 10 }}>
              <Checkbox
                checked={identity !== null}
                onChange={(e) => {
                  setIdentity(e.target.checked ? { at: new Date().toISOString() } : null);
                  if (e.target.checked) settled('identityConfirmed');
                }}
              >
                <Typography.Text strong>Xác nhận nhân thân:</Typography.Text> đã đối chiếu bản gốc thẻ
                CCCD/CMND với người kê khai
              </Checkbox>
              {identity && (
                <Typography.Paragraph type="secondary" style={{ margin: '2px 0 0 24px', fontSize: 12 }}>
                  Cán bộ {session.user.displayName} — {formatDateTime(identity.at)}
                </Typography.Paragraph>
              )}
              {extraErrors.identityConfirmed && (
                <Typography.Paragraph type="danger" role="alert" style={{ margin: '2px 0 0 24px' }}>
                  {extraErrors.identityConfirmed}
                </Typography.Paragraph>
              )}
              <div style={{ marginTop: 8 }}>
                <DeskDecision
                  value={decision}
                  onChange={setDecision}
                  kind={values.kind}
                  error={extraErrors.reason}
                />
              </div>
            </div>
          )}
          <Space wrap style={{ marginTop: 10 }}>
            {!correctingMode && (
              <Button loading={busy === 'print'} onClick={() => void print()}>
                In tờ khai <Kbd>Ctrl+P</Kbd>
              </Button>
            )}
            <Button type="primary" loading={busy === 'record'} onClick={() => void record()}>
              {correctingMode ? 'Gửi lại' : 'Ghi nhận'} <Kbd>Ctrl+Enter</Kbd>
            </Button>
            {!correctingMode && (
              <Button
                danger
                onClick={() =>
                  Modal.confirm({
                    title: 'Huỷ tờ khai đang kê khai?',
                    content: 'Thông tin đã nhập và ảnh của tờ khai này sẽ bị xoá khỏi máy trạm.',
                    okText: 'Huỷ tờ khai',
                    cancelText: 'Quay lại',
                    onOk: async () => {
                      await call('desk.discard', { id: decl.id }).catch(() => undefined);
                      await start(true);
                    },
                  })
                }
              >
                Huỷ tờ khai
              </Button>
            )}
          </Space>
        </Col>
      </Row>
      {/* mounted when opened: it starts from the form's values then, and costs nothing while closed */}
      {search && (
        <RegistrySearch
          open={search}
          initial={{ idNumber: values.idNumber, fullName: values.fullName, dateOfBirth: values.dateOfBirth }}
          onClose={() => setSearch(false)}
          onPick={(p) => {
            set('bhxhCode', p.bhxhCode);
            setSources((s) => ({ ...s, bhxhCode: { from: 'registry', confidence: 1 } }));
            setSearch(false);
            void message.success(`Đã chọn mã số BHXH ${p.bhxhCode} (${p.fullName}).`);
          }}
        />
      )}
    </Card>
  );
}
