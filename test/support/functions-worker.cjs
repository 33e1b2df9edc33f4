// Preloaded (`node --require`) into a process that imports the deployable package, in place of the Azure
// Functions Node worker: it provides `@azure/functions-core` the way the worker does (through
// Module.prototype.require), records each function the app registers, and refuses ES modules from outside
// the package folder (unless WORKER_NO_IMPORT_CHECK is set). On exit it prints one JSON line: the
// registrations, the non-builtin modules required and every CommonJS file loaded from outside the folder.
const Module = require('node:module');
const { pathToFileURL } = require('node:url');

const root = process.cwd();
const registered = [];
const required = new Set();

const coreApi = {
  version: 'test-worker',
  hostVersion: '4.0.0',
  registerHook: () => ({ dispose() {} }),
  setProgrammingModel() {},
  getProgrammingModel() {},
  registerFunction(metadata) {
    const trigger = Object.values(metadata.bindings).find((b) => b.type === 'httpTrigger');
    registered.push({ name: metadata.name, route: trigger?.route, methods: trigger?.methods });
    return { dispose() {} };
  },
  log() {},
};

Module.prototype.require = new Proxy(Module.prototype.require, {
  apply(target, thisArg, args) {
    if (args[0] === '@azure/functions-core') return coreApi;
    if (!Module.isBuiltin(args[0])) required.add(args[0]);
    return Reflect.apply(target, thisArg, args);
  },
});

const hooks = `
let root;
export async function initialize(data) { root = data.root; }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (!/^(node|data):/.test(resolved.url) && !resolved.url.startsWith(root)) throw new Error('outside the package: ' + resolved.url);
  return resolved;
}`;
// The check runs off-thread on every import; a benchmark turns it off so as not to time it.
if (!process.env.WORKER_NO_IMPORT_CHECK) {
  Module.register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { root: `${pathToFileURL(root).href}/` } });
}

process.on('exit', () => {
  const outside = Object.keys(Module._cache).filter((file) => !file.startsWith(`${root}/`) && file !== __filename);
  process.stdout.write(`${JSON.stringify({ registered, required: [...required], outside })}\n`);
});
