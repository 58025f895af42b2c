/** Resolves host names for the outbound URL policy (a port, so tests control DNS). */
export abstract class HostResolver {
  /**
   * Every A and AAAA address of the name, as text. Rejects when the name cannot be resolved
   * (does not exist, no address records, resolver failure or timeout).
   */
  abstract resolve(hostname: string): Promise<string[]>;
}
