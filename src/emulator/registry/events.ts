import type { CaCertificateStatus, CertificateStatus } from './records.js';

/** Registry events. The data plane listens to drop connections of certificates that stop working. */
export interface RegistryEventMap {
  /** Any certificate status change (UpdateCertificate, JITR activation, template provisioning). */
  certificateStatusChanged: {
    certificateId: string;
    previousStatus: CertificateStatus;
    status: CertificateStatus;
  };
  certificateDeleted: { certificateId: string; certificateArn: string };
  caCertificateStatusChanged: { certificateId: string; status: CaCertificateStatus };
  /** Something changed; persistence saves a snapshot after a short delay. */
  changed: Record<string, never>;
}

export type RegistryEventName = keyof RegistryEventMap;
export type RegistryListener<E extends RegistryEventName> = (event: RegistryEventMap[E]) => void;

/** A small typed emitter; listeners run synchronously and a throwing listener is logged, not fatal. */
export class RegistryEvents {
  private readonly listeners = new Map<RegistryEventName, Set<(event: never) => void>>();

  /** Adds a listener; returns a function that removes it. */
  on<E extends RegistryEventName>(name: E, listener: RegistryListener<E>): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener as (event: never) => void);
    return () => set.delete(listener as (event: never) => void);
  }

  emit<E extends RegistryEventName>(name: E, event: RegistryEventMap[E]): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as RegistryListener<E>)(event);
      } catch (error) {
        console.error(`provbench: registry listener for ${name} failed: ${(error as Error).message}`);
      }
    }
  }
}
