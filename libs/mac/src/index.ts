export * from './mac';
export * from './range';
export * from './entry';
export * from './formats';
