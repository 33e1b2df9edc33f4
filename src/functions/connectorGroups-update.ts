import { updateGroupSchema } from '../directory/model.js';
import { parseBody } from '../graph/body.js';
import { defineEndpoint } from '../graph/endpoint.js';
import { noContent, wantsMinimal } from '../graph/http.js';
import { assertProfile, ifMatch, pathId } from '../graph/odata.js';
import { groupEntity } from './responses.js';
import type { Services } from './services.js';

/** Rename a group or change its region (only while it has no connectors or applications). */
export const updateConnectorGroup = defineEndpoint<Services>({
  name: 'connectorgroups-update',
  route: 'onPremisesPublishingProfiles/{profileId}/connectorGroups/{id}',
  methods: ['PATCH'],
  access: 'write',
  handler: ({ directory }) => async ({ req, ctx, params, caller }) => {
    assertProfile(params.profileId);
    const id = pathId(params.id, 'connectorGroup');
    const input = await parseBody(req, updateGroupSchema, 'microsoft.graph.connectorGroup');
    const group = await directory.updateGroup(caller.tenantId, id, input, ifMatch(req.headers.get('if-match')));
    return wantsMinimal(ctx) ? noContent(ctx, { 'Preference-Applied': 'return=minimal' }) : groupEntity(ctx, group);
  },
});
