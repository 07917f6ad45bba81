import { loadNetworkProfileFile, type NetworkProfile, NetworkProfileError } from './profile.js';

/**
 * Built-in field links. Each figure cites where it comes from (pages read 2026-12-04). Where
 * the sources give a range or only a peak rate, the value is a judgement inside that range and
 * says so: override any of them with `--network my-link.json`.
 */

const READ = 'read 2026-12-04';

/** Loopback as it is: nothing added, bytes and connections still counted. */
const none: NetworkProfile = {
  name: 'none',
  description: 'no field link: loopback (or the real path on --target aws) as it is',
  rttMs: { median: 0, p95: 0 },
  uplinkKbps: null,
  downlinkKbps: null,
  packetLoss: 0,
  radioSetupMs: 0,
};

/** A device on a home or office Wi-Fi behind fixed broadband. */
const wifi: NetworkProfile = {
  name: 'wifi',
  description: 'Wi-Fi behind fixed broadband',
  rttMs: { median: 20, p95: 60 },
  uplinkKbps: 10_000,
  downlinkKbps: 50_000,
  packetLoss: 0.001,
  radioSetupMs: 0,
  sources: {
    rttMs:
      'Ookla US fixed broadband report (summarised at potsandpansbyccg.com/tag/ookla): best ISP latency 9 ms; +10 ms Wi-Fi hop as judgement; p95 judgement. ' +
      READ,
    uplinkKbps:
      'FCC Measuring Broadband America, fixed broadband reports (fcc.gov): advertised tiers 3-200 Mbps down with far lower upload; 50/10 Mbps is a modest tier (judgement). ' +
      READ,
    packetLoss:
      'FCC Measuring Broadband America, Ninth Fixed Broadband Report, chart 8: most consumers under 0.4 % peak-period packet loss; 0.1 % judgement. ' +
      READ,
    radioSetupMs: 'Wi-Fi stays associated: no idle-to-connected setup per connection.',
  },
};

/** LTE Cat-1 (the rates; Cat-4 devices get more) on a commercial network. */
const lte: NetworkProfile = {
  name: 'lte',
  description: 'LTE Cat-1/Cat-4 (Cat-1 rates)',
  rttMs: { median: 50, p95: 150 },
  uplinkKbps: 5_000,
  downlinkKbps: 10_000,
  packetLoss: 0.001,
  radioSetupMs: 100,
  sources: {
    rttMs:
      'OpenSignal Mobile Network Experience report Dec 2018 (insidetowers.com): AT&T latency experience below 60 ms on 3G/4G; Ookla US report: T-Mobile 31 ms, Sprint 39 ms average. Median 50 ms, p95 judgement. ' +
      READ,
    uplinkKbps:
      'LTE UE category 1 peak: 10 Mbps DL, 5 Mbps UL (3GPP TS 36.306; rfwireless-world.com "LTE-M device categories"). ' +
      READ,
    packetLoss:
      'HARQ and RLC acknowledged mode retransmit on the radio, so TCP sees little loss; 0.1 % judgement.',
    radioSetupMs:
      '3GPP TR 36.913 control-plane latency requirement: idle to active in under 100 ms (TS 36.331 table 11.2-1: 15 ms UE processing for RRC connection setup). ' +
      READ,
  },
};

/** LTE-M (Cat-M1), half-duplex FDD as most modules run it. */
const lteM: NetworkProfile = {
  name: 'lte-m',
  description: 'LTE-M (Cat-M1, half-duplex)',
  rttMs: { median: 150, p95: 600 },
  uplinkKbps: 375,
  downlinkKbps: 300,
  packetLoss: 0.002,
  radioSetupMs: 200,
  sources: {
    rttMs:
      'Keysight app note 5992-2747EN "NB-IoT and LTE Cat-M1 field measurements and SLA verification": Cat-M1 radio latency 10-15 ms; "Evaluation of LTE-M towards 5G IoT requirements" white paper: 0.1 s message latency at the edge of normal coverage, 6.2 s in extreme coverage. Median 150 ms, p95 600 ms: judgement in that range. ' +
      READ,
    uplinkKbps:
      'Cat-M1 (3GPP Rel-13) HD-FDD peak with scheduling delays: 300 kbps DL, 375 kbps UL (rfwireless-world.com "LTE-M device categories"). ' +
      READ,
    packetLoss: 'HARQ and RLC retransmissions hide most radio loss; 0.2 % judgement.',
    radioSetupMs:
      '3GPP TR 36.913: under 100 ms idle to active for LTE; Cat-M1 random access and RRC setup on the narrower, repeated channels take longer: 200 ms judgement. ' +
      READ,
  },
};

/** NB-IoT (Cat-NB1) in normal coverage. */
const nbIot: NetworkProfile = {
  name: 'nb-iot',
  description: 'NB-IoT (Cat-NB1), normal coverage',
  rttMs: { median: 1_000, p95: 4_000 },
  uplinkKbps: 20,
  downlinkKbps: 25,
  packetLoss: 0.01,
  radioSetupMs: 1_500,
  sources: {
    rttMs:
      'Ugwuanyi, Paul, Irvine, "Survey of IoT for developing countries", Electronics 10(18) 2224 (2021): 837 ms measured NB-IoT latency; Keysight app note 5992-2747EN: NB-IoT latency 100 ms to ~8 s; 3GPP TR 45.820 design target: 10 s at 164 dB MCL. Median 1 s, p95 4 s: judgement in that range. ' +
      READ,
    uplinkKbps:
      'netmanias.com blog 12609 "NB-IoT - Data Rates and Latency" (2017): a 1000-bit uplink transport block needs 4-10 resource units of 8 ms (about 12-31 kbps); Keysight: 20 kbps single-tone uplink peak. ' +
      READ,
    downlinkKbps:
      'Anritsu, "Determining peak data rates for NB-IoT" (temcom.com): peaks of ~200-250 kbps, sustained rates about ten times lower. ' +
      READ,
    packetLoss:
      'Martinez et al., "Exploring the performance boundaries of NB-IoT": high variability of delays; 1 % residual loss judgement.',
    radioSetupMs:
      'netmanias.com blog 12609: every uplink starts with random access (NPRACH), a scheduling grant, then data; Keysight: up to seconds. 1.5 s judgement for normal coverage. ' +
      READ,
  },
};

export const BUILTIN_PROFILES: Readonly<Record<string, NetworkProfile>> = {
  none,
  wifi,
  lte,
  'lte-m': lteM,
  'nb-iot': nbIot,
};

/**
 * `provbench run`'s default: the devices are SIM-identified, and LTE-M is the cellular IoT
 * technology with mobility and firmware-update-sized rates that AWS IoT fleets commonly use;
 * NB-IoT is the harsher case, available with `--network nb-iot`.
 */
export const DEFAULT_PROFILE = 'lte-m';

/** `--network <name|file.json>`: a built-in profile by name, else a JSON file of the same shape. */
export function resolveNetworkProfile(value: string): NetworkProfile {
  const builtin = BUILTIN_PROFILES[value];
  if (builtin) return builtin;
  if (!value.endsWith('.json') && !value.includes('/')) {
    throw new NetworkProfileError(
      `unknown network profile "${value}": use one of ${Object.keys(BUILTIN_PROFILES).join(', ')}, or a profile file (my-link.json)`,
    );
  }
  return loadNetworkProfileFile(value);
}
