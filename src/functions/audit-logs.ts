/**
 * The audit log as Graph serves it, `auditLogs/directoryAudits` (docs/API.md, "Audit log"): a list with
 * `$filter`, `$orderby`, `$top`, `$skiptoken` and `$select` as each version's metadata allows them, and a
 * record by id. Read-only, as in Graph: every record is written with the change it describes.
 */
import { auditShapes } from '../directory/documents.js';
import { auditView } from '../directory/views.js';
import { collectionResponse, entityQuery } from '../graph/collection.js';
import { json } from '../graph/http.js';
import { entityBody } from '../graph/odata.js';
import { endpoint } from './services.js';

const AUDITS_FRAGMENT = 'auditLogs/directoryAudits';

/** Newest first unless `$orderby=activityDateTime asc`; beta's metadata has no `$count` and no `$skip`, v1.0's has both. */
export const auditLogsDirectoryAuditsList = endpoint({
  name: 'auditLogs-directoryAudits-list',
  route: 'auditLogs/directoryAudits',
  methods: ['GET'],
  access: 'auditRead',
  params: {},
  doc: {
    summary: 'List directoryAudits',
    status: 200,
    response: { kind: 'collection', type: 'directoryAudit' },
    query: ['$select', '$filter', '$orderby', '$top', '$skiptoken', '$count', '$skip'],
  },
  handler:
    ({ directory, pagingKey }) =>
    async ({ req, ctx, scope }) =>
      collectionResponse(
        req,
        ctx,
        scope.tenantId,
        pagingKey,
        {
          shape: auditShapes[ctx.version],
          fragment: AUDITS_FRAGMENT,
          page: (query, page) => directory.listAuditRecords(scope, query, page),
          count: (query) => directory.countAuditRecords(scope, query),
          refused: ctx.version === 'beta' ? ['$count', '$skip', '$search'] : ['$search'],
        },
        (doc) => auditView(doc, ctx.version),
      ),
});

/** One record; `$select` applies. */
export const auditLogsDirectoryAuditsGet = endpoint({
  name: 'auditLogs-directoryAudits-get',
  route: 'auditLogs/directoryAudits/{id}',
  methods: ['GET'],
  access: 'auditRead',
  params: { id: 'directoryAudit' },
  doc: { summary: 'Get a directoryAudit', status: 200, response: { kind: 'entity', type: 'directoryAudit' }, query: ['$select'] },
  handler:
    ({ directory }) =>
    async ({ req, ctx, params, scope }) => {
      const { select } = entityQuery(req, ctx, auditShapes[ctx.version]);
      const record = await directory.auditRecord(scope, params.id);
      return json(ctx, 200, entityBody(ctx, `${AUDITS_FRAGMENT}/$entity`, auditView(record, ctx.version), { select }));
    },
});
