/**
 * Contract of `apply-installed-base-impact` (seed §18): applies the asset impact of every order
 * item idempotently. An asset version conflict is fallout and stops finalization.
 */
import { z } from 'zod';
import { falloutReasonOutput, orderContextShape, phaseHeader } from '../contract-fields';
import { defineJobContract } from '../job-contract';

/** The Zeebe job type. */
export const applyInstalledBaseImpactJobType = 'apply-installed-base-impact';

/** Input variables. */
export const applyInstalledBaseImpactInputSchema = z.object({ ...orderContextShape });
/** Validated input of `apply-installed-base-impact`. */
export type ApplyInstalledBaseImpactInput = z.infer<typeof applyInstalledBaseImpactInputSchema>;

/** Custom headers. */
export const applyInstalledBaseImpactHeadersSchema = z.object({
  phase: phaseHeader.optional(),
});
/** Validated headers of `apply-installed-base-impact`. */
export type ApplyInstalledBaseImpactHeaders = z.infer<typeof applyInstalledBaseImpactHeadersSchema>;

/** Output variables: control state only (seed §5). */
export const applyInstalledBaseImpactOutputSchema = z.object({
  installedBaseApplied: z.boolean().meta({
    description: 'True when every asset impact is applied; false on a version conflict (then falloutReason says why).',
    template: { binding: 'output', label: 'Installed base applied variable', group: 'routing' },
  }),
  falloutReason: falloutReasonOutput,
});
/** Output of `apply-installed-base-impact`. */
export type ApplyInstalledBaseImpactOutput = z.infer<typeof applyInstalledBaseImpactOutputSchema>;

/** The `apply-installed-base-impact` contract. */
export const applyInstalledBaseImpactContract = defineJobContract({
  type: applyInstalledBaseImpactJobType,
  input: applyInstalledBaseImpactInputSchema,
  headers: applyInstalledBaseImpactHeadersSchema,
  output: applyInstalledBaseImpactOutputSchema,
  template: {
    id: 'fulfillment-pack.apply-installed-base-impact',
    name: 'Apply installed base impact',
    description: 'Creates, versions or closes the assets of the order items once fulfillment is proven.',
    retries: 3,
    compensatable: true,
  },
});
