// The header's notice of a downloaded, verified update: the officer restarts into it when they choose
// (refused while decisions are being sent, with the reason). Nothing shows until an update is ready.
import { App as AntApp, Button, Tooltip } from 'antd';
import { useEffect, useState } from 'react';
import type { UpdateStatus } from '../../../contract/workstationSettings';
import { api, call, errorMessage } from '../api';

export function UpdateNotice() {
  const { message } = AntApp.useApp();
  const [status, setStatus] = useState<UpdateStatus | null>(null);
  useEffect(() => {
    call('update.status', {})
      .then(setStatus)
      .catch(() => setStatus(null));
    return api.on((e) => {
      if (e.type === 'update.status') setStatus(e.status);
    });
  }, []);
  if (status?.state !== 'ready') return null;
  return (
    <Tooltip
      title={`Bản ${status.version ?? ''} đã tải về và được kiểm tra. Hồ sơ đã ghi nhận không bị mất.`}
    >
      <Button
        size="small"
        type="primary"
        ghost
        style={{ color: '#fff', borderColor: '#fff' }}
        onClick={() =>
          void call('update.install', {}).catch((err: unknown) => void message.warning(errorMessage(err)))
        }
      >
        Khởi động lại để cập nhật
      </Button>
    </Tooltip>
  );
}
