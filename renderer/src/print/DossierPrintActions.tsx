// Print / Save as PDF of the open dossier's documents (Mẫu 01, the decision notice). Issue 4 item 5.
// Shown in the dossier detail's card header; Ctrl+P prints Mẫu 01 and Ctrl+S saves it, as officers
// expect from any document on screen.
import { DownOutlined, FilePdfOutlined, PrinterOutlined } from '@ant-design/icons';
import { App, Button, Dropdown, Space } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DossierView } from '../../../contract/workstation';
import { call } from '../api';
import { failureText, printJob, saveJob } from './deliver';

type Document = 'mau01' | 'notice';
type Action = 'print' | 'save';

export function DossierPrintActions({ view }: { view: DossierView }) {
  const { message } = App.useApp();
  const [busy, setBusy] = useState<string | null>(null);
  const busyRef = useRef(false);
  const dossierId = view.dossier.id;
  const decided = view.dossier.status === 'decided';

  const run = useCallback(
    async (document: Document, action: Action): Promise<void> => {
      if (busyRef.current) return;
      busyRef.current = true;
      setBusy(`${document}-${action}`);
      try {
        const job = await call('print.document', { dossierId, document });
        const done = action === 'print' ? await printJob(job) : await saveJob(job);
        void message.success(done);
      } catch (err) {
        void message.error(failureText(err));
      } finally {
        busyRef.current = false;
        setBusy(null);
      }
    },
    [dossierId, message],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
      const key = e.key.toLowerCase();
      if (key !== 'p' && key !== 's') return;
      e.preventDefault(); // the page's own print / save would print the screen, not the form
      void run('mau01', key === 'p' ? 'print' : 'save');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [run]);

  const saveButton = (
    <Button
      icon={<FilePdfOutlined aria-hidden />}
      loading={busy === 'mau01-save' || busy === 'notice-save'}
      disabled={busy !== null && !busy.endsWith('-save')}
      title={
        decided
          ? 'Lưu tờ khai Mẫu 01 hoặc thông báo kết quả thành tệp PDF'
          : 'Lưu tờ khai Mẫu 01 thành tệp PDF (Ctrl+S)'
      }
      onClick={decided ? undefined : () => void run('mau01', 'save')}
    >
      Lưu PDF{decided && <DownOutlined aria-hidden />}
    </Button>
  );

  return (
    <Space size={4} wrap>
      <Button
        icon={<PrinterOutlined aria-hidden />}
        loading={busy === 'mau01-print'}
        disabled={busy !== null && busy !== 'mau01-print'}
        title="In tờ khai Mẫu 01 của hồ sơ (Ctrl+P)"
        onClick={() => void run('mau01', 'print')}
      >
        In Mẫu 01
      </Button>
      {decided && (
        <Button
          icon={<PrinterOutlined aria-hidden />}
          loading={busy === 'notice-print'}
          disabled={busy !== null && busy !== 'notice-print'}
          title="In thông báo kết quả duyệt hồ sơ"
          onClick={() => void run('notice', 'print')}
        >
          In thông báo
        </Button>
      )}
      {decided ? (
        // Two documents to save: a small menu keeps the card header short.
        <Dropdown
          trigger={['click']}
          menu={{
            items: [
              { key: 'mau01', label: 'Lưu PDF Mẫu 01' },
              { key: 'notice', label: 'Lưu PDF thông báo' },
            ],
            onClick: ({ key }) => void run(key === 'notice' ? 'notice' : 'mau01', 'save'),
          }}
        >
          {saveButton}
        </Dropdown>
      ) : (
        saveButton
      )}
    </Space>
  );
}
