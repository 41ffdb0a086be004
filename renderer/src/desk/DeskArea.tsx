// The mobile desk's screens under Hồ sơ ĐK GDĐT: Kê khai mới (the form), Danh sách kê khai tại bàn
// (the list and its end-of-day sheet), one declaration's detail, and the form again to correct a
// declaration the service refused. App.tsx shows this area for its two menu entries.
import { useState } from 'react';
import type { SessionInfo } from '../../../contract/workstation';
import type { DeskDeclaration } from '../../../contract/workstationDesk';
import { DeskDetail } from './DeskDetail';
import { DeskForm } from './DeskForm';
import { DeskList } from './DeskList';

export type DeskView = { screen: 'new' } | { screen: 'list' } | { screen: 'open'; id: string };

export function DeskArea({
  session,
  view,
  onView,
}: {
  session: SessionInfo;
  view: DeskView;
  onView: (v: DeskView) => void;
}) {
  const [correcting, setCorrecting] = useState<DeskDeclaration | null>(null);
  if (correcting)
    return (
      <DeskForm
        key={`fix-${correcting.id}`}
        session={session}
        correcting={correcting}
        onRecorded={(id) => {
          setCorrecting(null);
          onView({ screen: 'open', id });
        }}
        onOpenDeclaration={(id) => {
          setCorrecting(null);
          onView({ screen: 'open', id });
        }}
        onOpenList={() => {
          setCorrecting(null);
          onView({ screen: 'list' });
        }}
      />
    );
  switch (view.screen) {
    case 'new':
      return (
        <DeskForm
          session={session}
          onOpenDeclaration={(id) => onView({ screen: 'open', id })}
          onOpenList={() => onView({ screen: 'list' })}
        />
      );
    case 'list':
      return (
        <DeskList onOpen={(id) => onView({ screen: 'open', id })} onNew={() => onView({ screen: 'new' })} />
      );
    case 'open':
      return (
        <DeskDetail
          key={view.id}
          id={view.id}
          onCorrect={setCorrecting}
          onBack={() => onView({ screen: 'list' })}
        />
      );
    default: {
      const never: never = view;
      return never;
    }
  }
}
