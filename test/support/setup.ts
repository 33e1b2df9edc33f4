// @azure/functions prints a warning per registration when no Functions runtime is present ("test mode").
// The local host never registers through `app`, so only stray imports would trigger it; keep output clean.
const warn = console.warn;
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].includes('"@azure/functions" package')) return;
  warn(...args);
};
