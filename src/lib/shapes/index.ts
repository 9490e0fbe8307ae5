export * from './spec';
export * from './random';
export * from './scene';
export * from './render';
export * from './captions';
export * from './vocabulary';
export * from './samples';
