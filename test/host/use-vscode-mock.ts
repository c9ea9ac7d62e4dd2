// Makes `require('vscode')` load the test double (vscode-mock.ts). Import this first in a host
// test, before anything that imports `vscode`.
import Module from 'node:module';

const target = require.resolve('./vscode-mock');
const M = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const original = M._resolveFilename;
M._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
  if (request === 'vscode') return target;
  return original.call(this, request, ...rest);
};
