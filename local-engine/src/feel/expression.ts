/**
 * Expression evaluation as Zeebe does it: a value starting with `=` is a FEEL expression, any
 * other value is a static string. FEEL values are turned into plain JSON so that variables stay
 * serialisable (temporal values become their ISO strings, as Zeebe writes them into variables).
 */
import { evaluate } from 'feelin';

/** Raised when an expression cannot be evaluated; the interpreter turns it into an incident. */
export class ExpressionError extends Error {
  /** Stable code, used as the incident's error type. */
  readonly code = 'EXPRESSION_FAILED';
  constructor(
    readonly expression: string,
    message: string,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}

/** True when the value is a FEEL expression (`=`-prefixed) rather than a static value. */
export function isExpression(value: string | undefined): boolean {
  return typeof value === 'string' && value.trimStart().startsWith('=');
}

/** Converts a FEEL result (which may hold temporal objects) into plain JSON. */
export function toJsonValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function') return null;
    return value;
  }
  if (Array.isArray(value)) return value.map(toJsonValue);
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return withJson.toJSON();
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return String(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = toJsonValue(v);
  return out;
}

/**
 * Evaluates a FEEL expression (without its `=`) in a variable context. A missing variable
 * evaluates to null as in FEEL; syntax errors and failed function calls raise ExpressionError.
 */
export function evaluateFeel(expression: string, context: Record<string, unknown>): unknown {
  let result;
  try {
    result = evaluate(expression, context);
  } catch (error) {
    throw new ExpressionError(expression, `failed to evaluate expression '${expression}': ${(error as Error).message}`);
  }
  const failure = result.warnings.find(
    (w) => w.type === 'FUNCTION_INVOCATION_FAILURE' || w.type === 'NO_FUNCTION_FOUND' || w.type === 'UNSUPPORTED',
  );
  if (failure) {
    throw new ExpressionError(expression, `failed to evaluate expression '${expression}': ${failure.message}`);
  }
  return result.value;
}

/**
 * Evaluates a Zeebe property value: `=expr` through FEEL (JSON result), anything else as the
 * literal string.
 */
export function evaluateValue(value: string, context: Record<string, unknown>): unknown {
  if (!isExpression(value)) return value;
  return toJsonValue(evaluateFeel(value.trimStart().slice(1), context));
}

/** Evaluates an expression that must yield a string (job type, message name, correlation key). */
export function evaluateString(value: string, context: Record<string, unknown>, what: string): string {
  const result = evaluateValue(value, context);
  if (typeof result === 'string') return result;
  // Zeebe accepts numbers for correlation keys and converts them to their text.
  if (typeof result === 'number' && what === 'correlation key') return String(result);
  throw new ExpressionError(value, `expected ${what} expression '${value}' to evaluate to a string, but it was ${JSON.stringify(result)}`);
}

/** Evaluates a condition (sequence flow, completion condition): must be a boolean. */
export function evaluateCondition(value: string, context: Record<string, unknown>): boolean {
  const expr = isExpression(value) ? value.trimStart().slice(1) : value;
  const result = evaluateFeel(expr, context);
  if (typeof result === 'boolean') return result;
  throw new ExpressionError(value, `expected condition '${value}' to evaluate to a boolean, but it was ${JSON.stringify(toJsonValue(result))}`);
}


/** Evaluates a FEEL temporal expression and returns the raw feelin object or its JSON form. */
export function evaluateRaw(value: string, context: Record<string, unknown>): unknown {
  if (!isExpression(value)) return value;
  return evaluateFeel(value.trimStart().slice(1), context);
}
