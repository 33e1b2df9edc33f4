import type { HttpResponseInit } from '@azure/functions';
import { connectorView, groupView, type ConnectorDoc, type GroupDoc } from '../directory/model.js';
import { json, type RequestContext } from '../graph/http.js';
import { entityBody, etagOf } from '../graph/odata.js';
import type { Stored } from '../store/store.js';

const PROFILE_URL = 'onPremisesPublishingProfiles/applicationProxy';

export const groupUrl = (ctx: RequestContext, id: string) => `${ctx.serviceRoot}/${PROFILE_URL}/connectorGroups/${id}`;
export const connectorUrl = (ctx: RequestContext, id: string) => `${ctx.serviceRoot}/${PROFILE_URL}/connectors/${id}`;

/** A single connectorGroup, with its ETag; `created` adds 201 and Location. */
export function groupEntity(ctx: RequestContext, doc: Stored<GroupDoc>, status = 200, select?: string[]): HttpResponseInit {
  const headers: Record<string, string> = { ETag: etagOf(doc._etag) };
  if (status === 201) headers.Location = groupUrl(ctx, doc.id);
  return json(ctx, status, entityBody(ctx, 'connectorGroups/$entity', groupView(doc), doc._etag, select), headers);
}

export function connectorEntity(ctx: RequestContext, doc: Stored<ConnectorDoc>, status = 200, select?: string[]): HttpResponseInit {
  const headers: Record<string, string> = { ETag: etagOf(doc._etag) };
  if (status === 201) headers.Location = connectorUrl(ctx, doc.id);
  return json(ctx, status, entityBody(ctx, 'connectors/$entity', connectorView(doc), doc._etag, select), headers);
}
