import { render } from 'preact';
import { Mapping } from './mapping';
import { Metadata } from './metadata';
import { Users } from './users';
import { Role } from '../common/api';
import { Shell } from '../common/shell';
import { Tokens } from '../common/tokens';
import '../common/style.css';

const routes = [
  { path: '/', label: 'Mapping rules', page: Mapping },
  { path: '/idps', label: 'Identity providers', page: Metadata },
  { path: '/users', label: 'Users', page: Users },
  { path: '/tokens', label: 'Tokens', page: ({ role }: { role: Role }) => <Tokens role={role} roles={['admin', 'reader']} /> },
];

render(<Shell service="aai-bridge" routes={routes} />, document.getElementById('app')!);
