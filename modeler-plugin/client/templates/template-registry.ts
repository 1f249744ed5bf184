/**
 * Makes sure the host's element templates service knows our templates, current and kept versions
 * alike. The Modeler loads templates only from its resources folders, not from a plugin's folder;
 * without this, the properties panel would not recognise an inserted block until someone copied
 * the templates there, and upgrading could not see which values an old version set.
 */
import type { ElementTemplate } from '../../../element-templates/src/template-types';
import type { ElementTemplates, EventBus, Injector } from '../host-services';
import type { TemplateCatalog } from './template-catalog';

const key = (template: ElementTemplate) => `${template.id}@${template.version}`;

/** The `fulfillmentTemplateRegistry` service. */
export class TemplateRegistry {
  static $inject = ['injector', 'eventBus', 'fulfillmentTemplateCatalog'];

  private readonly elementTemplates: ElementTemplates | undefined;

  constructor(injector: Injector, eventBus: EventBus, private readonly catalog: TemplateCatalog) {
    this.elementTemplates = injector.get<ElementTemplates | undefined>('elementTemplates', false) ?? undefined;
    if (!this.elementTemplates) return;
    // Whenever the host (re)loads its templates, ours are added back; once they are in, the
    // `changed` that our own `set` fires finds nothing missing, so this never loops.
    eventBus.on('elementTemplates.changed', () => this.ensureRegistered());
    this.ensureRegistered();
  }

  /** Adds whichever of our template versions the host does not know yet. */
  ensureRegistered(): void {
    const host = this.elementTemplates;
    if (!host) return;
    const known = new Set(host.getAll().map(key));
    const missing = this.catalog.all().filter((template) => !known.has(key(template)));
    if (missing.length > 0) host.set([...host.getAll(), ...missing]);
  }
}
