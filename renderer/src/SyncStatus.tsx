// Sync status, always visible (DESIGN.md §4): online/offline, decisions and images waiting, last sync, failures
// and conflicts; "Chi tiết đồng bộ" opens the panel listing queued, failed and conflicted decisions with
// their reasons and what the officer can do (open the dossier to decide again, retry, dismiss).
import { Badge, Button, Drawer, Space, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { OUTCOME_LABEL, RESULT_LABEL } from '../../contract/domain';
import { OUTBOX_STATE_COLOR as STATE_COLOR, OUTBOX_STATE_LABEL as STATE_LABEL } from '../../contract/outbox';
import { formatCount } from '../../contract/text';
import type { OutboxItem, SyncStatus } from '../../contract/workstation';
import { api, call } from './api';
import { formatDateTime } from './format';

function advice(i: OutboxItem): string {
  switch (i.state) {
    case 'queued':
      return 'Tự động gửi khi có kết nối.';
    case 'conflict':
      return 'Hồ sơ đã được cán bộ khác xử lý: mở hồ sơ để xem kết quả; Bỏ qua để đóng mục này.';
    case 'expired':
      return 'Hồ sơ đã quá hạn 10 ngày: hướng dẫn cá nhân kê khai lại.';
    case 'failed':
      return 'Thử lại, hoặc mở hồ sơ để đánh giá lại.';
    case 'synced':
      return i.result ? RESULT_LABEL[i.result] : '';
    case 'dismissed':
      return '';
  }
}

export function SyncStatusBar({ onOpenDossier }: { onOpenDossier: (id: string) => void }) {
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<OutboxItem[]>([]);

  const refreshItems = useCallback(() => {
    call('sync.items', {})
      .then(setItems)
      .catch(() => undefined);
  }, []);

  useEffect(() => {
    call('sync.status', {})
      .then(setStatus)
      .catch(() => undefined);
    return api.on((e) => {
      if (e.type === 'sync.status') setStatus(e.status);
      if (e.type === 'decision.updated' && open) refreshItems();
    });
  }, [open, refreshItems]);

  useEffect(() => {
    if (open) refreshItems();
  }, [open, refreshItems, status?.queued]);

  return (
    <>
      <div
        role="status"
        aria-label="Trạng thái đồng bộ"
        style={{
          display: 'flex',
          gap: 16,
          alignItems: 'center',
          padding: '6px 16px',
          borderTop: '1px solid #e5e5e5',
          background: '#fafafa',
          fontSize: 13,
        }}
      >
        {status === null ? (
          <span>Đang kiểm tra kết nối…</span>
        ) : (
          <>
            <Badge
              status={status.online ? 'success' : 'error'}
              text={status.online ? 'Trực tuyến' : 'Ngoại tuyến'}
            />
            <span>
              Chờ đồng bộ: <b data-testid="queued-count">{formatCount(status.queued)}</b>
            </span>
            {status.uploadsQueued > 0 && (
              <span>
                Ảnh chờ gửi: <b data-testid="queued-uploads">{status.uploadsQueued}</b>
              </span>
            )}
            {status.deskQueued > 0 && (
              <span>
                Kê khai chờ gửi: <b data-testid="queued-desk">{status.deskQueued}</b>
              </span>
            )}
            {status.deskNeedsFix > 0 && <Tag color="red">Kê khai cần sửa: {status.deskNeedsFix}</Tag>}
            {status.failed > 0 && <Tag color="red">Lỗi: {status.failed}</Tag>}
            {status.uploadsFailed > 0 && <Tag color="red">Ảnh gửi lỗi: {status.uploadsFailed}</Tag>}
            {status.conflicts > 0 && <Tag color="red">Xung đột: {status.conflicts}</Tag>}
            {status.waitingForOthers > 0 && (
              <span>Của cán bộ khác (chờ họ đăng nhập): {status.waitingForOthers}</span>
            )}
            <span>Lần đồng bộ cuối: {status.lastSyncAt ? formatDateTime(status.lastSyncAt) : 'chưa có'}</span>
            {status.needsSignIn && <Tag color="red">Cần đăng nhập lại để đồng bộ</Tag>}
            {status.syncing && <span>Đang đồng bộ…</span>}
            <span style={{ flex: 1 }} />
            <Button size="small" onClick={() => void call('sync.now', {}).then(setStatus, () => undefined)}>
              Đồng bộ ngay
            </Button>
            <Button size="small" onClick={() => setOpen(true)}>
              Chi tiết đồng bộ
            </Button>
          </>
        )}
      </div>
      <Drawer title="Chi tiết đồng bộ" open={open} onClose={() => setOpen(false)} size={1120}>
        {status && (
          <Typography.Paragraph>
            {status.online ? 'Trực tuyến' : 'Ngoại tuyến'} · {formatCount(status.dossiers)} hồ sơ trên máy
            trạm · Chờ đồng bộ: {formatCount(status.queued)}
            {status.uploadsQueued > 0 ? ` · Ảnh chờ gửi: ${status.uploadsQueued}` : ''}
            {status.lastError ? ` · Lỗi gần nhất: ${status.lastError}` : ''}
          </Typography.Paragraph>
        )}
        <Table<OutboxItem>
          size="small"
          rowKey="id"
          dataSource={items}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 1040 }}
          columns={[
            { title: 'Số hồ sơ', dataIndex: 'dossierNumber', width: 170 },
            { title: 'Họ và tên', dataIndex: 'fullName', width: 160 },
            { title: 'Đánh giá', render: (_, i) => OUTCOME_LABEL[i.outcome], width: 150 },
            {
              title: 'Trạng thái đồng bộ',
              render: (_, i) => <Tag color={STATE_COLOR[i.state]}>{STATE_LABEL[i.state]}</Tag>,
              width: 130,
            },
            { title: 'Ghi nhận lúc', render: (_, i) => formatDateTime(i.createdAt), width: 130 },
            {
              title: 'Kết quả / lý do',
              width: 300,
              render: (_, i) => (
                <Space direction="vertical" size={0}>
                  {i.lastError && i.state !== 'synced' && <span>{i.lastError}</span>}
                  <Typography.Text type="secondary">{advice(i)}</Typography.Text>
                </Space>
              ),
            },
            {
              title: 'Thao tác',
              width: 190,
              render: (_, i) => (
                <Space wrap>
                  {(i.state === 'conflict' || i.state === 'failed') && (
                    <Button size="small" onClick={() => (setOpen(false), onOpenDossier(i.dossierId))}>
                      Mở hồ sơ
                    </Button>
                  )}
                  {i.state === 'failed' && (
                    <Button
                      size="small"
                      onClick={() => void call('sync.retry', { id: i.id }).then(refreshItems)}
                    >
                      Thử lại
                    </Button>
                  )}
                  {(i.state === 'conflict' || i.state === 'failed' || i.state === 'expired') && (
                    <Button
                      size="small"
                      danger
                      onClick={() => void call('sync.dismiss', { id: i.id }).then(refreshItems)}
                    >
                      Bỏ qua
                    </Button>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </Drawer>
    </>
  );
}
