// Small readers over a bpmn-moddle tree with zeebe-bpmn-moddle loaded, shared by the rules.
// Sequence flows are found through their sourceRef/targetRef, never through `incoming`/`outgoing`,
// because a BPMN file may omit those children and Zeebe follows the flows themselves.

const catalog = require('./fulfillment-catalog.json');

/** True when the element is of (or inherits from) the given moddle type. */
function is(element, type) {
  return Boolean(element && typeof element.$instanceOf === 'function' && element.$instanceOf(type));
}

/** The first extension element of the given type, or undefined. */
function extension(element, type) {
  const values = (element && element.extensionElements && element.extensionElements.values) || [];
  return values.find((value) => is(value, type));
}

/** The Zeebe job type of a task, or undefined. */
function jobType(element) {
  const definition = extension(element, 'zeebe:TaskDefinition');
  return definition ? definition.type : undefined;
}

/** The single event definition of an event, or undefined. */
function eventDefinition(element, type) {
  return ((element && element.eventDefinitions) || []).find((definition) => is(definition, type));
}

/** The bpmn:Message an event or receive task waits for, or undefined. */
function messageOf(element) {
  if (is(element, 'bpmn:ReceiveTask')) return element.messageRef;
  const definition = eventDefinition(element, 'bpmn:MessageEventDefinition');
  return definition ? definition.messageRef : undefined;
}

/** Name of the message an element waits for, or undefined. */
function messageName(element) {
  const message = messageOf(element);
  return message ? message.name : undefined;
}

/** Sequence flows of the element's scope. */
function flowsOf(element) {
  const scope = element.$parent;
  return ((scope && scope.flowElements) || []).filter((flow) => is(flow, 'bpmn:SequenceFlow'));
}

/** Elements the element's outgoing sequence flows lead to. */
function successors(element) {
  return flowsOf(element).filter((flow) => flow.sourceRef === element).map((flow) => flow.targetRef);
}

/** Elements whose outgoing sequence flows lead to the element. */
function predecessors(element) {
  return flowsOf(element).filter((flow) => flow.targetRef === element).map((flow) => flow.sourceRef);
}

/** Boundary events attached to an activity. */
function boundaryEvents(activity) {
  const scope = activity.$parent;
  return ((scope && scope.flowElements) || []).filter(
    (element) => is(element, 'bpmn:BoundaryEvent') && element.attachedToRef === activity,
  );
}

/** True when the element waits for a message that an external system's callback produces. */
function isAwaitCallback(element) {
  if (!is(element, 'bpmn:IntermediateCatchEvent') && !is(element, 'bpmn:ReceiveTask')) return false;
  if (element.modelerTemplate === catalog.templateIds.awaitCallback) return true;
  return catalog.messages.callback.includes(messageName(element));
}

module.exports = {
  catalog,
  is,
  extension,
  jobType,
  eventDefinition,
  messageOf,
  messageName,
  successors,
  predecessors,
  boundaryEvents,
  isAwaitCallback,
};
