import { resolveNetworkProfile } from '../network/builtin-profiles.js';
import { type NetworkProfile, NetworkProfileError } from '../network/profile.js';
import { UsageError } from './options.js';

/** `--network <name|file.json>`: a bad name or profile file is bad input (exit 2). */
export function networkOption(value: string): NetworkProfile {
  try {
    return resolveNetworkProfile(value);
  } catch (error) {
    if (error instanceof NetworkProfileError) throw new UsageError(error.message);
    throw error;
  }
}
