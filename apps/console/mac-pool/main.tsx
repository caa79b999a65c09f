import { render } from 'preact';
import { Overview } from './overview';
import { Pools } from './pools';
import { Reconcile } from './reconcile';
import { Upload } from './upload';
import { Macs } from './macs';
import { Role } from '../common/api';
import { Shell } from '../common/shell';
import { Tokens } from '../common/tokens';
import '../common/style.css';

const routes = [
  { path: '/', label: 'Overview', page: Overview },
  { path: '/pools', label: 'Pools', page: Pools },
  { path: '/upload', label: 'Upload', page: Upload },
  { path: '/macs', label: 'MAC search', page: Macs },
  { path: '/tokens', label: 'Tokens', page: ({ role }: { role: Role }) => <Tokens role={role} roles={['admin', 'hook', 'reader']} /> },
  { path: '/reconcile', label: 'Reconciliation', page: Reconcile },
];

render(<Shell service="mac-pool" routes={routes} />, document.getElementById('app')!);
