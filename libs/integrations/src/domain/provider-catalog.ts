import catalogData from './providers.json';
import { ChannelType, IntegrationKind } from './channels';

export interface ProviderDescriptor {
  readonly id: string;
  readonly channel: ChannelType;
  readonly displayName: string;
  readonly required: readonly string[];
  readonly optional: readonly string[];
}

interface CatalogFile {
  secretCredentialKeys: string[];
  providers: ProviderDescriptor[];
}

const data = catalogData as CatalogFile;
const byId = new Map<string, ProviderDescriptor>(data.providers.map((p) => [p.id, p]));

/** The provider catalog (the catalog of docs/contract.md, shipped with the library). */
export const ProviderCatalog = {
  all(): readonly ProviderDescriptor[] {
    return data.providers;
  },

  /**
   * The provider with this id usable for the given kind. Delivery integrations may use any catalog
   * provider; agent integrations connect an agent to a conversation surface, so only chat providers.
   */
  find(providerId: string, kind: IntegrationKind = 'delivery'): ProviderDescriptor | undefined {
    const provider = byId.get(providerId);
    if (!provider) return undefined;
    if (kind === 'agent' && provider.channel !== 'chat') return undefined;
    return provider;
  },

  /** Credential key names treated as secrets by the reference (we encrypt every value anyway). */
  secretCredentialKeys(): readonly string[] {
    return data.secretCredentialKeys;
  },

  /** Every credential key any catalog provider declares (required or optional). */
  allCredentialKeys(): readonly string[] {
    const keys = new Set<string>();
    for (const p of data.providers) {
      p.required.forEach((k) => keys.add(k));
      p.optional.forEach((k) => keys.add(k));
    }
    return [...keys];
  },
};
