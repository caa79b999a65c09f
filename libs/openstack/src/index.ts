export * from './clouds-yaml';
export * from './errors';
export * from './http';
export * from './keystone-api';
export * from './keystone-session';
export * from './neutron-api';
