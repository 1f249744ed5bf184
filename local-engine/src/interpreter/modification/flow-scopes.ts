/**
 * Which flow scope instances each activation runs in, decided before anything changes, as Zeebe's
 * `ElementActivationBehavior` decides it (camunda/camunda zeebe/engine/src/main/java/io/camunda/
 * zeebe/engine/processing/common/): from the process instance down, each flow scope of the element
 * is the one existing instance of it, or a new instance when there is none. With several
 * instances, the ancestor key of the instruction decides: the selected instance itself, a new
 * instance when the existing ones lie below the selected ancestor, the instance that contains the
 * selected ancestor; anything else is ambiguous and rejected. A scope planned by an earlier
 * instruction counts as existing for the later ones, as Zeebe creates it while it processes the
 * command. Creating a multi-instance body or one of its inner instances is not supported.
 */
import type { ProcessModel } from '../../model/process-model';
import type { ElementInstanceRecord } from '../../state/records';
import type { Interpreter } from '../interpreter';
import { CommandRejection } from '../rejection';
import type { ActivateInstruction } from './instructions';
import { flowScopeIds } from './validate';

/** A flow scope instance: an existing one, or one the modification creates (its instance set once created). */
export interface PlannedScope {
  elementId: string;
  isMultiInstanceBody: boolean;
  instance?: ElementInstanceRecord;
  /** Only for a scope the modification creates: where it goes. */
  parent?: PlannedScope;
  /** Scopes this plan creates inside this one. */
  created: PlannedScope[];
}

/** Plans the flow scope instances of a modification's activations. */
export class FlowScopePlanner {
  private readonly existing = new Map<number, PlannedScope>();
  readonly root: PlannedScope;

  constructor(
    private readonly it: Interpreter,
    private readonly model: ProcessModel,
    processInstance: ElementInstanceRecord,
  ) {
    this.root = this.of(processInstance);
  }

  /** The scope of an existing element instance (one object per instance, so scopes compare by identity). */
  private of(instance: ElementInstanceRecord): PlannedScope {
    let scope = this.existing.get(instance.key);
    if (!scope) {
      scope = { elementId: instance.elementId, isMultiInstanceBody: instance.isMultiInstanceBody === true, instance, created: [] };
      this.existing.set(instance.key, scope);
    }
    return scope;
  }

  private parentOf(scope: PlannedScope): PlannedScope | undefined {
    if (scope.parent) return scope.parent;
    const key = scope.instance?.flowScopeKey;
    return key === undefined ? undefined : this.of(this.it.state.get('elements', key)!);
  }

  private children(scope: PlannedScope): PlannedScope[] {
    const existing = scope.instance && !scope.parent ? this.it.activeChildren(scope.instance.key).map((child) => this.of(child)) : [];
    return [...existing, ...scope.created];
  }

  /** True when `ancestor` encloses `scope` (directly or further up). */
  private isInside(scope: PlannedScope, ancestor: PlannedScope): boolean {
    for (let current = this.parentOf(scope); current; current = this.parentOf(current)) {
      if (current === ancestor) return true;
    }
    return false;
  }

  /**
   * The chain of flow scopes an activation runs in, from the process instance down to the
   * element's direct flow scope (a multi-instance element is two steps: its body, then an inner instance).
   * @throws CommandRejection INVALID_ARGUMENT when the scope is ambiguous or would be a new multi-instance scope.
   */
  plan(activation: ActivateInstruction): PlannedScope[] {
    const steps = flowScopeIds(this.model, activation.elementId)
      .reverse()
      .slice(1)
      .flatMap((id) => (this.model.elements[id]!.multiInstance ? [{ id, body: true }, { id, body: false }] : [{ id, body: false }]));
    const ancestor = activation.ancestorElementInstanceKey === undefined ? undefined : this.of(this.it.state.get('elements', activation.ancestorElementInstanceKey)!);
    const chain = [this.root];
    let current = this.root;
    for (const step of steps) {
      const candidates = this.children(current).filter((c) => c.elementId === step.id && c.isMultiInstanceBody === step.body);
      let chosen = this.reusable(candidates, ancestor, step.id);
      if (!chosen) {
        if (this.model.elements[step.id]!.multiInstance) {
          throw new CommandRejection(
            'INVALID_ARGUMENT',
            `Expected to modify instance of process '${this.model.bpmnProcessId}' but it contains one or more activate instructions that would result in the activation of multi-instance element '${step.id}', which is currently unsupported.`,
          );
        }
        chosen = { elementId: step.id, isMultiInstanceBody: false, parent: current, created: [] };
        current.created.push(chosen);
      }
      chain.push(chosen);
      current = chosen;
    }
    return chain;
  }

  /** The existing instance to reuse, or undefined to create a new one. */
  private reusable(candidates: PlannedScope[], ancestor: PlannedScope | undefined, id: string): PlannedScope | undefined {
    if (candidates.length === 0) return undefined;
    if (candidates.length === 1) {
      // an instance below the selected ancestor is not the one asked for: the ancestor gets a new one
      return ancestor && this.isInside(candidates[0]!, ancestor) ? undefined : candidates[0];
    }
    if (ancestor) {
      if (candidates.includes(ancestor)) return ancestor;
      if (candidates.some((c) => this.isInside(c, ancestor))) return undefined;
      const holder = candidates.find((c) => this.isInside(ancestor, c));
      if (holder) return holder;
    }
    throw new CommandRejection(
      'INVALID_ARGUMENT',
      `Expected to modify instance of process '${this.model.bpmnProcessId}' but it contains one or more activate instructions for an element that has a flow scope with more than one active instance: '${id}'. Can't decide in which instance of the flow scope the element should be activated. Please specify an ancestor element instance key for this activate instruction.`,
    );
  }
}
