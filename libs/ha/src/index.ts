export * from './cluster';
export * from './render';
