/** What callers see of a stored document: its properties as the wire shows them, without counters or tenant. */
import type { ConnectorDoc, GroupDoc } from './documents.js';

export interface ConnectorGroup {
  id: string;
  name: string;
  connectorGroupType: string;
  isDefault: boolean;
  region: string | null;
}

export interface Connector {
  id: string;
  machineName: string;
  externalIp: string;
  status: string;
  version: string;
}

export const groupView = (d: GroupDoc): ConnectorGroup => ({
  id: d.id,
  name: d.name,
  connectorGroupType: d.connectorGroupType,
  isDefault: d.isDefault,
  region: d.region,
});

export const connectorView = (d: ConnectorDoc): Connector => ({
  id: d.id,
  machineName: d.machineName,
  externalIp: d.externalIp,
  status: d.status,
  version: d.version,
});
