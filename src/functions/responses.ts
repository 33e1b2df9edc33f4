import type { HttpResponseInit } from '@azure/functions';
import type { Stored } from '../directory/directory.js';
import { REGIONS, connectorView, groupView, type ConnectorDoc, type GroupDoc } from '../directory/model.js';
import { json, type RequestContext } from '../graph/http.js';
import { entityBody, etagOf, evolvableEnum } from '../graph/odata.js';

const PROFILE_URL = 'onPremisesPublishingProfiles/applicationProxy';
export const PROFILE_FRAGMENT = "onPremisesPublishingProfiles('applicationProxy')";

const groupUrl = (ctx: RequestContext, id: string) => `${ctx.serviceRoot}/${PROFILE_URL}/connectorGroups/${id}`;
const connectorUrl = (ctx: RequestContext, id: string) => `${ctx.serviceRoot}/${PROFILE_URL}/connectors/${id}`;

function entity(ctx: RequestContext, kind: 'connectorGroup' | 'connector', view: { id: string }, etag: string, status: number, select?: string[]) {
  const headers: Record<string, string> = { ETag: etagOf(etag) };
  if (status === 201) headers.Location = (kind === 'connector' ? connectorUrl : groupUrl)(ctx, view.id);
  // The seed pages show @odata.type on the created entity; it is harmless elsewhere.
  return json(ctx, status, entityBody(ctx, `${kind}s/$entity`, view, { etag, select, type: kind }), headers);
}

/** A connectorGroup as this caller sees it: a region unknown to the contract is evolvable. */
export const presentGroup = (ctx: RequestContext) => (doc: GroupDoc) => ({
  ...groupView(doc),
  region: evolvableEnum(ctx, doc.region, REGIONS),
});

/** A single connectorGroup with its ETag; 201 adds Location. */
export const groupEntity = (ctx: RequestContext, doc: Stored<GroupDoc>, status = 200, select?: string[]): HttpResponseInit =>
  entity(ctx, 'connectorGroup', presentGroup(ctx)(doc), doc._etag, status, select);

export const connectorEntity = (ctx: RequestContext, doc: Stored<ConnectorDoc>, status = 200, select?: string[]): HttpResponseInit =>
  entity(ctx, 'connector', connectorView(doc), doc._etag, status, select);
