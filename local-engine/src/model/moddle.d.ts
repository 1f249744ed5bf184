/**
 * Minimal typing of bpmn-moddle's default export, as the package ships no declaration for it;
 * shared by the local engine (parsing) and the model generator in bpmn/ (writing).
 */
declare module 'bpmn-moddle' {
  /** A parsed moddle element: its `$type` and the properties of that type. */
  export interface ModdleNode {
    $type: string;
    [key: string]: unknown;
  }
  /** Result of fromXML: the root element and the warnings of lenient parsing. */
  export interface ParseResult {
    rootElement: ModdleNode;
    /** For an unresolved reference: the element holding it and the property that names it. */
    warnings: Array<{ message: string; element?: ModdleNode; property?: string }>;
    references: unknown[];
    elementsById: Record<string, ModdleNode>;
  }
  /** The BPMN moddle, extended with extra descriptors (zeebe). */
  export class BpmnModdle {
    constructor(packages?: Record<string, unknown>);
    fromXML(xml: string, options?: Record<string, unknown>): Promise<ParseResult>;
    /** Creates an element of a registered type (the model generator writes BPMN with it). */
    create(type: string, attributes?: Record<string, unknown>): ModdleNode;
    toXML(element: ModdleNode, options?: { format?: boolean }): Promise<{ xml: string }>;
  }
}
