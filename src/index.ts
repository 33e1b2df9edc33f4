import { app } from '@azure/functions';
import { compose } from './app.js';

// Production entry point: the Functions host loads this module once per worker.
for (const fn of compose(process.env).routes.functions) {
  app.http(fn.name, { route: fn.route, methods: fn.methods, authLevel: 'anonymous', handler: fn.handler });
}
