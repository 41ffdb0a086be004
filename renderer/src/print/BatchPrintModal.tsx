// "In các hồ sơ đã chọn": the selected dossiers' Mẫu 01 made into one print job by the workstation
// services, with a progress bar fed by print.progress events and Huỷ, which stops between two forms.
// When the job is ready the print dialog opens; In lại and Lưu PDF stay at hand. Issue 4 item 5.
import { Alert, App, Button, Modal, Progress, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import type { PrintJob } from '../../../contract/workstationPrint';
import { formatCount } from '../../../contract/text';
import { api, ApiFailure, call } from '../api';
import { failureText, printJob, saveJob } from './deliver';

type Phase =
  | { kind: 'running' }
  | { kind: 'done'; job: PrintJob; note: string | null }
  | { kind: 'cancelled' }
  | { kind: 'failed'; message: string };

/** Mounted for one batch (a new key per batch); `onClose` when the officer leaves it. */
export function BatchPrintModal({ ids, onClose }: { ids: readonly string[]; onClose: () => void }) {
  const { message } = App.useApp();
  const [phase, setPhase] = useState<Phase>({ kind: 'running' });
  const [progress, setProgress] = useState({ done: 0, total: ids.length });
  const [busy, setBusy] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const jobId = useRef<string | null>(null);
  const cancelAsked = useRef(false);

  useEffect(() => {
    let live = true;
    // One batch runs at a time on a workstation: progress seen before the job id arrives is ours.
    const off = api.on((e) => {
      if (e.type !== 'print.progress' || (jobId.current !== null && e.jobId !== jobId.current)) return;
      if (live) setProgress((p) => (e.done > p.done ? { done: e.done, total: e.total } : p));
    });
    void (async () => {
      try {
        const started = await call('print.batchStart', { dossierIds: [...ids] });
        jobId.current = started.jobId;
        if (cancelAsked.current) void call('print.cancel', { jobId: started.jobId }).catch(() => undefined);
        const job = await call('print.batchWait', { jobId: started.jobId });
        if (!live) return;
        setProgress({ done: job.forms, total: job.forms });
        setPhase({ kind: 'done', job, note: null });
        // The officer asked to print: open the dialog at once.
        const note = await printJob(job).catch((err: unknown) => failureText(err));
        if (live) setPhase({ kind: 'done', job, note });
      } catch (err) {
        if (!live) return;
        if (err instanceof ApiFailure && err.error.code === 'cancelled') setPhase({ kind: 'cancelled' });
        else setPhase({ kind: 'failed', message: failureText(err) });
      }
    })();
    return () => {
      live = false;
      off();
      // Leaving while it runs stops it; a finished job is dropped from memory.
      if (jobId.current) void call('print.discard', { jobId: jobId.current }).catch(() => undefined);
    };
  }, [ids]);

  const cancel = (): void => {
    cancelAsked.current = true;
    setCancelling(true);
    if (jobId.current) void call('print.cancel', { jobId: jobId.current }).catch(() => undefined);
  };

  const again = async (action: 'print' | 'save'): Promise<void> => {
    if (phase.kind !== 'done') return;
    setBusy(true);
    try {
      void message.success(action === 'print' ? await printJob(phase.job) : await saveJob(phase.job));
    } catch (err) {
      void message.error(failureText(err));
    } finally {
      setBusy(false);
    }
  };

  const running = phase.kind === 'running';
  const percent = progress.total > 0 ? Math.floor((progress.done * 100) / progress.total) : 0;
  const footer = running
    ? [
        <Button key="cancel" danger onClick={cancel} disabled={cancelling}>
          Huỷ
        </Button>,
      ]
    : phase.kind === 'done'
      ? [
          <Button key="print" type="primary" loading={busy} onClick={() => void again('print')}>
            In lại
          </Button>,
          <Button key="save" disabled={busy} onClick={() => void again('save')}>
            Lưu PDF
          </Button>,
          <Button key="close" onClick={onClose}>
            Đóng
          </Button>,
        ]
      : [
          <Button key="close" type="primary" onClick={onClose}>
            Đóng
          </Button>,
        ];

  return (
    <Modal
      open
      title="In các hồ sơ đã chọn"
      maskClosable={false}
      onCancel={() => (running ? cancel() : onClose())}
      footer={footer}
    >
      <Progress
        percent={phase.kind === 'done' ? 100 : percent}
        status={
          phase.kind === 'cancelled' || phase.kind === 'failed'
            ? 'exception'
            : phase.kind === 'done'
              ? 'success'
              : 'active'
        }
        aria-label="Tiến độ in"
      />
      <Typography.Paragraph aria-live="polite" style={{ marginTop: 8 }}>
        {running &&
          (cancelling
            ? 'Đang dừng…'
            : `Đang tạo tờ khai Mẫu 01: ${formatCount(progress.done)}/${formatCount(progress.total)} hồ sơ.`)}
        {phase.kind === 'done' &&
          `Đã tạo ${formatCount(phase.job.forms)} tờ khai Mẫu 01 trong một lệnh in (${formatCount(phase.job.pages)} trang).`}
      </Typography.Paragraph>
      {phase.kind === 'done' && phase.note && <Typography.Paragraph>{phase.note}</Typography.Paragraph>}
      {phase.kind === 'cancelled' && (
        <>
          <Alert type="warning" showIcon role="alert" message="Đã huỷ in." />
          <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
            Dừng sau {formatCount(progress.done)}/{formatCount(progress.total)} tờ khai; phần đã tạo được bỏ
            đi, không có gì được in.
          </Typography.Paragraph>
        </>
      )}
      {phase.kind === 'failed' && <Alert type="error" showIcon role="alert" message={phase.message} />}
    </Modal>
  );
}
