export * from './mac';
export * from './range';
export * from './entry';
export * from './hostname';
export * from './formats';
