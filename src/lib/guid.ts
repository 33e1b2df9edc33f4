/** GUIDs as Graph writes ids and tenant ids: 8-4-4-4-12 hex digits, any case. */
export const GUID_PATTERN = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

const GUID = new RegExp(`^${GUID_PATTERN}$`, 'i');

export const isGuid = (value: unknown): value is string => typeof value === 'string' && GUID.test(value);
