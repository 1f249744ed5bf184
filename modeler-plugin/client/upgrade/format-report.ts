/**
 * Renders an upgrade report for people: the CLI prints it, the Modeler shows it in the console
 * and returns it to whoever triggered the action.
 */
import type { UpgradeReport } from './upgrade-elements';

const show = (value: string) => (value === '' ? '(empty)' : JSON.stringify(value));

/** The report as lines of text, one block per element. */
export function formatUpgradeReport(report: UpgradeReport): string[] {
  if (report.upgraded.length === 0 && report.skipped.length === 0) return ['All Fulfillment Pack elements are at their current template versions.'];
  const lines: string[] = [];
  for (const item of report.upgraded) {
    lines.push(`${item.elementId}: ${item.templateId} ${item.fromVersion} -> ${item.toVersion}`);
    for (const kept of item.kept) lines.push(`  kept     ${kept.id} = ${show(kept.value)}`);
    for (const added of item.added) {
      const origin = added.value === added.default ? 'default' : `default ${show(added.default)}, set to keep a value above visible`;
      lines.push(`  added    ${added.id} = ${show(added.value)} (${origin})`);
    }
    for (const removed of item.removed) lines.push(`  removed  ${removed.id} (was ${show(removed.value)})`);
    for (const updated of item.updated) lines.push(`  updated  ${updated.id}: ${show(updated.from)} -> ${show(updated.to)} (template default)`);
    for (const decision of item.needsDecision) {
      const why = decision.reason === 'property-removed' ? 'property no longer exists' : `no longer a choice; now ${show(decision.applied ?? '')}`;
      lines.push(`  DECIDE   ${decision.id} = ${show(decision.value)}: ${why}`);
    }
  }
  for (const skipped of report.skipped) lines.push(`${skipped.elementId}: ${skipped.templateId} ${skipped.version ?? '(no version)'} not upgraded: ${skipped.reason}`);
  const decisions = report.upgraded.reduce((count, item) => count + item.needsDecision.length, 0);
  lines.push(`${report.upgraded.length} element(s) upgraded, ${decisions} value(s) need a decision, ${report.skipped.length} skipped.`);
  return lines;
}
