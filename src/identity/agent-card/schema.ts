/**
 * The A2A Agent Card, as data: one field table per message (from a2a.proto, v1.0, and the
 * v0.3 JSON schema), from which both the zod schemas and the two canonicalisation profiles
 * are derived, so the shape that is validated and the shape that is signed cannot drift.
 *
 * Each field has a kind and, where the proto says so, a presence flag:
 * - `required`: `(google.api.field_behavior) = REQUIRED`; always kept by the spec profile.
 * - `explicit`: declared with proto3 `optional` (explicit presence); kept when present.
 * Every other field is omitted when it holds its default value (spec §8.4.1).
 */
import type { ZodType } from 'zod';
import { zod } from '../../core/zod.js';
import { deepFreeze } from '../../core/freeze.js';

// This entry's schemas are built on import, with the one zod every Mandate module shares.
const z = zod();

/** One field of a message. */
export type FieldSpec =
  | { readonly kind: 'string'; readonly required?: true; readonly explicit?: true }
  | { readonly kind: 'bool'; readonly required?: true; readonly explicit?: true }
  | { readonly kind: 'strings'; readonly required?: true }
  | { readonly kind: 'message'; readonly of: MessageSpec; readonly required?: true }
  | { readonly kind: 'messages'; readonly of: MessageSpec; readonly required?: true }
  | { readonly kind: 'map'; readonly of: MessageSpec | 'string'; readonly required?: true }
  /** `google.protobuf.Struct`: arbitrary JSON object, signed as given. */
  | { readonly kind: 'struct'; readonly required?: true };

/** A message: its fields, and whether exactly one of them must be set (a proto oneof). */
export interface MessageSpec {
  readonly name: string;
  readonly fields: Readonly<Record<string, FieldSpec>>;
  readonly oneof?: true;
}

const str = { kind: 'string' } as const;
const reqStr = { kind: 'string', required: true } as const;
const strs = { kind: 'strings' } as const;
const reqStrs = { kind: 'strings', required: true } as const;
const optBool = { kind: 'bool', explicit: true } as const;
const optStr = { kind: 'string', explicit: true } as const;
const scopes = { kind: 'map', of: 'string' } as const;

const stringList: MessageSpec = { name: 'StringList', fields: { list: strs } };
const securityRequirement: MessageSpec = {
  name: 'SecurityRequirement',
  fields: { schemes: { kind: 'map', of: stringList } },
};

const authorizationCode: MessageSpec = {
  name: 'AuthorizationCodeOAuthFlow',
  fields: {
    authorizationUrl: reqStr,
    tokenUrl: reqStr,
    refreshUrl: str,
    scopes,
    pkceRequired: { kind: 'bool' },
  },
};
const clientCredentials: MessageSpec = {
  name: 'ClientCredentialsOAuthFlow',
  fields: { tokenUrl: reqStr, refreshUrl: str, scopes },
};
const implicit: MessageSpec = {
  name: 'ImplicitOAuthFlow',
  fields: { authorizationUrl: str, refreshUrl: str, scopes },
};
const password: MessageSpec = {
  name: 'PasswordOAuthFlow',
  fields: { tokenUrl: str, refreshUrl: str, scopes },
};
const deviceCode: MessageSpec = {
  name: 'DeviceCodeOAuthFlow',
  fields: { deviceAuthorizationUrl: reqStr, tokenUrl: reqStr, refreshUrl: str, scopes },
};
const oauthFlows: MessageSpec = {
  name: 'OAuthFlows',
  oneof: true,
  fields: {
    authorizationCode: { kind: 'message', of: authorizationCode },
    clientCredentials: { kind: 'message', of: clientCredentials },
    implicit: { kind: 'message', of: implicit },
    password: { kind: 'message', of: password },
    deviceCode: { kind: 'message', of: deviceCode },
  },
};
const securityScheme: MessageSpec = {
  name: 'SecurityScheme',
  oneof: true,
  fields: {
    apiKeySecurityScheme: {
      kind: 'message',
      of: {
        name: 'APIKeySecurityScheme',
        fields: { description: str, location: reqStr, name: reqStr },
      },
    },
    httpAuthSecurityScheme: {
      kind: 'message',
      of: {
        name: 'HTTPAuthSecurityScheme',
        fields: { description: str, scheme: reqStr, bearerFormat: str },
      },
    },
    oauth2SecurityScheme: {
      kind: 'message',
      of: {
        name: 'OAuth2SecurityScheme',
        fields: {
          description: str,
          flows: { kind: 'message', of: oauthFlows, required: true },
          oauth2MetadataUrl: str,
        },
      },
    },
    openIdConnectSecurityScheme: {
      kind: 'message',
      of: {
        name: 'OpenIdConnectSecurityScheme',
        fields: { description: str, openIdConnectUrl: reqStr },
      },
    },
    mtlsSecurityScheme: {
      kind: 'message',
      of: { name: 'MutualTlsSecurityScheme', fields: { description: str } },
    },
  },
};

const agentExtension: MessageSpec = {
  name: 'AgentExtension',
  fields: { uri: str, description: str, required: { kind: 'bool' }, params: { kind: 'struct' } },
};

/** The signature entry (RFC 7515 JSON serialisation members). Never part of the payload. */
export const SIGNATURE_SPEC: MessageSpec = {
  name: 'AgentCardSignature',
  fields: { protected: reqStr, signature: reqStr, header: { kind: 'struct' } },
};

/** The fields every version's `AgentSkill` shares (its security field differs). */
const SKILL_FIELDS = {
  id: reqStr,
  name: reqStr,
  description: reqStr,
  tags: reqStrs,
  examples: strs,
  inputModes: strs,
  outputModes: strs,
} as const;

/** `AgentProvider`, the same in every version. */
const PROVIDER_FIELDS = { url: reqStr, organization: reqStr } as const;

/** A2A v1.0 `AgentCard` (a2a.proto). */
export const AGENT_CARD_V1: MessageSpec = deepFreeze({
  name: 'AgentCard',
  fields: {
    name: reqStr,
    description: reqStr,
    supportedInterfaces: {
      kind: 'messages',
      required: true,
      of: {
        name: 'AgentInterface',
        fields: { url: reqStr, protocolBinding: reqStr, tenant: str, protocolVersion: reqStr },
      },
    },
    provider: {
      kind: 'message',
      of: { name: 'AgentProvider', fields: PROVIDER_FIELDS },
    },
    version: reqStr,
    documentationUrl: optStr,
    capabilities: {
      kind: 'message',
      required: true,
      of: {
        name: 'AgentCapabilities',
        fields: {
          streaming: optBool,
          pushNotifications: optBool,
          extensions: { kind: 'messages', of: agentExtension },
          extendedAgentCard: optBool,
        },
      },
    },
    securitySchemes: { kind: 'map', of: securityScheme },
    securityRequirements: { kind: 'messages', of: securityRequirement },
    defaultInputModes: reqStrs,
    defaultOutputModes: reqStrs,
    skills: {
      kind: 'messages',
      required: true,
      of: {
        name: 'AgentSkill',
        fields: {
          ...SKILL_FIELDS,
          securityRequirements: { kind: 'messages', of: securityRequirement },
        },
      },
    },
    signatures: { kind: 'messages', of: SIGNATURE_SPEC },
    iconUrl: optStr,
  },
});

/**
 * A2A v0.3 `AgentCard` (JSON schema of the 0.3.0 specification). Security schemes are
 * OpenAPI objects there, taken as structs.
 */
export const AGENT_CARD_V03: MessageSpec = deepFreeze({
  name: 'AgentCardV03',
  fields: {
    protocolVersion: reqStr,
    name: reqStr,
    description: reqStr,
    url: reqStr,
    preferredTransport: str,
    additionalInterfaces: {
      kind: 'messages',
      of: { name: 'AgentInterfaceV03', fields: { url: reqStr, transport: reqStr } },
    },
    iconUrl: optStr,
    provider: {
      kind: 'message',
      of: { name: 'AgentProviderV03', fields: PROVIDER_FIELDS },
    },
    version: reqStr,
    documentationUrl: optStr,
    capabilities: {
      kind: 'message',
      required: true,
      of: {
        name: 'AgentCapabilitiesV03',
        fields: {
          streaming: optBool,
          pushNotifications: optBool,
          stateTransitionHistory: optBool,
          extensions: { kind: 'messages', of: agentExtension },
        },
      },
    },
    securitySchemes: { kind: 'struct' },
    security: { kind: 'struct' },
    defaultInputModes: reqStrs,
    defaultOutputModes: reqStrs,
    skills: {
      kind: 'messages',
      required: true,
      of: {
        name: 'AgentSkillV03',
        fields: {
          ...SKILL_FIELDS,
          security: { kind: 'struct' },
        },
      },
    },
    supportsAuthenticatedExtendedCard: optBool,
    signatures: { kind: 'messages', of: SIGNATURE_SPEC },
  },
});

// -------------------------------------------------------------------------------------
// zod schemas, derived from the tables.
// -------------------------------------------------------------------------------------

/** Bounds on untrusted card input (checked before any crypto). */
export const CARD_LIMITS = deepFreeze({
  maxString: 8192,
  maxItems: 256,
  maxBytes: 256 * 1024,
} as const);

/** Schemas built so far, by their table: one set per caller, so no instance is shared. */
type SchemaCache = Map<MessageSpec, ZodType>;

function fieldSchema(field: FieldSpec, cache: SchemaCache): ZodType {
  switch (field.kind) {
    case 'string':
      return z.string().max(CARD_LIMITS.maxString);
    case 'bool':
      return z.boolean();
    case 'strings':
      return z.array(z.string().max(CARD_LIMITS.maxString)).max(CARD_LIMITS.maxItems);
    case 'message':
      return messageSchema(field.of, cache);
    case 'messages':
      return z.array(messageSchema(field.of, cache)).max(CARD_LIMITS.maxItems);
    case 'map':
      return z.record(
        z.string().max(256),
        field.of === 'string'
          ? z.string().max(CARD_LIMITS.maxString)
          : messageSchema(field.of, cache),
      );
    case 'struct':
      return z.record(z.string(), z.json());
  }
}

function messageSchema(spec: MessageSpec, cache: SchemaCache = new Map()): ZodType {
  const cached = cache.get(spec);
  if (cached !== undefined) return cached;
  const shape: Record<string, ZodType> = {};
  for (const [name, field] of Object.entries(spec.fields)) {
    // Required fields may still be absent on the wire (proto3 JSON omits defaults); the
    // signature, not the schema, is what protects them.
    shape[name] = fieldSchema(field, cache).optional();
  }
  let schema: ZodType = z.strictObject(shape);
  if (spec.oneof === true) {
    schema = schema.refine(
      (value) => Object.keys(value as object).length === 1,
      `${spec.name}: exactly one member must be set`,
    );
  }
  cache.set(spec, schema);
  return schema;
}

/** An `AgentCardSignature` as it appears in `signatures`. */
export interface AgentCardSignature {
  readonly protected: string;
  readonly signature: string;
  readonly header?: Readonly<Record<string, unknown>>;
}

/**
 * An Agent Card of either version, as JSON. The schemas are strict: a member outside the
 * version's table is malformed (it would not be covered by an SDK-profile signature).
 */
export interface AgentCard {
  readonly name?: string;
  readonly description?: string;
  readonly version?: string;
  readonly signatures?: readonly AgentCardSignature[];
  readonly [member: string]: unknown;
}

/**
 * The zod schema of a v1.0 Agent Card. A copy for callers: zod schemas cannot be frozen,
 * so verification uses its own private instance, which nothing outside can reach.
 */
export const agentCardV1Schema = messageSchema(AGENT_CARD_V1) as ZodType<AgentCard>;
/** The zod schema of a v0.3 Agent Card (a copy for callers, like {@link agentCardV1Schema}). */
export const agentCardV03Schema = messageSchema(AGENT_CARD_V03) as ZodType<AgentCard>;
// The instances verification uses: private, so patching an exported schema changes nothing.
const V1_SCHEMA = messageSchema(AGENT_CARD_V1) as ZodType<AgentCard>;
const V03_SCHEMA = messageSchema(AGENT_CARD_V03) as ZodType<AgentCard>;

/** Which version a card is: v0.3 cards carry a top-level `url` and `protocolVersion`. */
export type AgentCardVersion = '1.0' | '0.3';

/** Detect the version from the card's members (no member of v1.0 is named `url`). */
export function detectCardVersion(card: object): AgentCardVersion {
  return Object.hasOwn(card, 'url') || Object.hasOwn(card, 'protocolVersion') ? '0.3' : '1.0';
}

/** The table of a version. */
export function specFor(version: AgentCardVersion): MessageSpec {
  return version === '1.0' ? AGENT_CARD_V1 : AGENT_CARD_V03;
}

/** The schema of a version. */
export function schemaFor(version: AgentCardVersion): ZodType<AgentCard> {
  return version === '1.0' ? V1_SCHEMA : V03_SCHEMA;
}
