// The app shell: sign-in, then the menu "Hồ sơ ĐK GDĐT → Cá nhân" with the list, the detail of the
// open dossier, and the sync status bar at the bottom of every screen. Cài đặt (the machine's settings)
// from the sign-in screen, for a machine that must first reach its service, and from the menu for
// supervisors and administrators.
import {
  BarChartOutlined,
  FolderOpenOutlined,
  MenuFoldOutlined,
  MenuUnfoldOutlined,
  SettingOutlined,
} from '@ant-design/icons';
import { Button, Layout, Menu, Space, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { SessionInfo } from '../../contract/workstation';
import { api, call } from './api';
import { DossierDetail } from './DossierDetail';
import { DossierList } from './DossierList';
import { DeskArea, type DeskView } from './desk/DeskArea';
import { useReaderScan } from './intake/useReaderScan';
import { ReportsScreen } from './print/ReportsScreen';
import { SettingsScreen } from './settings/SettingsScreen';
import { UpdateNotice } from './settings/UpdateNotice';
import { SignIn } from './SignIn';
import { SyncStatusBar } from './SyncStatus';

const MENU_KEY = 'bhxh.menu.collapsed';

export function App() {
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const [openId, setOpenId] = useState<string | null>(null);
  const [screen, setScreen] = useState<'individual' | 'reports' | 'desk' | 'settings'>('individual');
  const [settingsBeforeSignIn, setSettingsBeforeSignIn] = useState(false);
  const [desk, setDesk] = useState<DeskView>({ screen: 'new' });
  // Below 1600 px the menu folds to its icons unless the officer unfolded it (remembered on this
  // machine), so the list's eleven columns fit from 1280 px with room for the addresses.
  const [siderCollapsed, setSiderCollapsed] = useState(
    () => (localStorage.getItem(MENU_KEY) ?? (window.innerWidth < 1600 ? '1' : '0')) === '1',
  );
  const [openKeys, setOpenKeys] = useState<string[]>(() => (siderCollapsed ? [] : ['gddt']));
  const toggleSider = (): void => {
    const next = !siderCollapsed;
    localStorage.setItem(MENU_KEY, next ? '1' : '0');
    setSiderCollapsed(next);
    setOpenKeys(next ? [] : ['gddt']);
  };
  // A reader scan of an ID card or a form's QR opens the matching dossier (a desk's Mã tạm, its declaration).
  useReaderScan((id, match) => {
    if (!id && match.deskId) {
      setScreen('desk');
      setDesk({ screen: 'open', id: match.deskId });
      return;
    }
    setScreen('individual');
    setOpenId(id);
  });

  useEffect(() => {
    call('session.current', {})
      .then(setSession)
      .catch(() => setSession(null));
    return api.on((e) => {
      if (e.type === 'session.changed') setSession(e.session);
    });
  }, []);

  if (session === undefined) return null;
  const supervisor = session !== null && session.user.role !== 'officer';
  if (session === null) {
    if (settingsBeforeSignIn)
      return (
        <div style={{ padding: 24, background: '#eef3f8', minHeight: '100vh' }}>
          <SettingsScreen onBack={() => setSettingsBeforeSignIn(false)} />
        </div>
      );
    return <SignIn onSignedIn={setSession} onSettings={() => setSettingsBeforeSignIn(true)} />;
  }

  const signOut = async (): Promise<void> => {
    setOpenId(null);
    await call('session.signOut', {}).catch(() => undefined);
    setSession(null);
  };

  return (
    <Layout style={{ height: '100vh' }}>
      <Layout.Header
        style={{ display: 'flex', alignItems: 'center', gap: 16, background: '#1565c0', paddingInline: 16 }}
      >
        <Typography.Text strong style={{ color: '#fff', fontSize: 16 }}>
          BHXH VIỆT NAM — TIẾP NHẬN VÀ QUẢN LÝ HỒ SƠ
        </Typography.Text>
        <span style={{ flex: 1 }} />
        <Space>
          <UpdateNotice />
          {session.offline && <Tag color="orange">Đăng nhập ngoại tuyến</Tag>}
          <Typography.Text style={{ color: '#fff' }}>
            {session.user.displayName} ({session.user.username}) — {session.user.agencyName}
          </Typography.Text>
          <Button size="small" onClick={() => void signOut()}>
            Đăng xuất
          </Button>
        </Space>
      </Layout.Header>
      <Layout>
        <Layout.Sider
          width={200}
          theme="light"
          style={{ borderRight: '1px solid #eee' }}
          collapsed={siderCollapsed}
          collapsedWidth={56}
        >
          <Button
            type="text"
            block
            icon={siderCollapsed ? <MenuUnfoldOutlined aria-hidden /> : <MenuFoldOutlined aria-hidden />}
            aria-label={siderCollapsed ? 'Hiện tên các mục' : 'Thu gọn menu'}
            title={siderCollapsed ? 'Hiện tên các mục' : 'Thu gọn menu'}
            onClick={toggleSider}
            style={{ borderRadius: 0, height: 36 }}
          />
          <Menu
            mode="inline"
            openKeys={openKeys}
            onOpenChange={setOpenKeys}
            selectedKeys={[screen === 'desk' ? `desk-${desk.screen === 'new' ? 'new' : 'list'}` : screen]}
            items={[
              {
                key: 'gddt',
                label: 'Hồ sơ ĐK GDĐT',
                icon: <FolderOpenOutlined aria-hidden />,
                children: [
                  {
                    key: 'individual',
                    label: 'Cá nhân',
                    onClick: () => {
                      setScreen('individual');
                      setOpenId(null);
                    },
                  },
                  ...(['new', 'list'] as const).map((d) => ({
                    key: `desk-${d}`,
                    label: d === 'new' ? 'Kê khai mới' : 'Kê khai tại bàn',
                    onClick: () => {
                      setScreen('desk');
                      setDesk({ screen: d });
                    },
                  })),
                ],
              },
              // Only supervisors see the reports.
              ...(supervisor
                ? [
                    {
                      key: 'reports',
                      label: 'Báo cáo',
                      icon: <BarChartOutlined aria-hidden />,
                      onClick: () => setScreen('reports'),
                    },
                    {
                      key: 'settings',
                      label: 'Cài đặt',
                      icon: <SettingOutlined aria-hidden />,
                      onClick: () => setScreen('settings'),
                    },
                  ]
                : []),
            ]}
          />
        </Layout.Sider>
        <Layout.Content style={{ padding: 8, overflow: 'auto' }}>
          {session.offline && (
            <Typography.Paragraph type="warning" role="alert">
              Đang làm việc ngoại tuyến: tra cứu trên dữ liệu của máy trạm; đánh giá được ghi nhận và đồng bộ
              khi có kết nối.
            </Typography.Paragraph>
          )}
          {screen === 'reports' && supervisor && <ReportsScreen />}
          {screen === 'desk' && <DeskArea session={session} view={desk} onView={setDesk} />}
          {screen === 'settings' && supervisor && <SettingsScreen />}
          <div style={{ display: screen !== 'individual' || openId ? 'none' : 'block' }}>
            <DossierList me={[session.user.username, session.user.displayName]} onOpen={setOpenId} />
          </div>
          {screen === 'individual' && openId && (
            <DossierDetail
              key={openId}
              id={openId}
              me={[session.user.username, session.user.displayName]}
              onClose={() => setOpenId(null)}
            />
          )}
        </Layout.Content>
      </Layout>
      <SyncStatusBar onOpenDossier={setOpenId} />
    </Layout>
  );
}
