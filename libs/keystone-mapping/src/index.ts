export * from './types';
export * from './engine';
export * from './validate';
export * from './assertion';
export { pyFormat, pyRepr, literalEval } from './python';
export { PythonRegexError, UnsupportedRegexError, compilePythonRegex, pythonSearch } from './python-regex';
