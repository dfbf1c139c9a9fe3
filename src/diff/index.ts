// The diff module's public surface: computing changes (pure) and rendering them (to a given stream or a string).
/* eslint no-restricted-imports: ["error", { "patterns": ["fs", "fs/*", "node:fs", "node:fs/*", "node:net", "node:http", "node:https", "node:child_process", "node:dns", "node:timers", "undici"] }] */
/* eslint no-restricted-globals: ["error", "fetch", "Date", "process", "setTimeout", "setInterval"] */

export * from './types.js';
export { diffManaged, compareChanges, type DiffOptions } from './diff-managed.js';
export { applyManaged } from './apply-managed.js';
export { maskSensitive, maskChange, hashSecret, secretMatchesHash } from './sensitive.js';
export { resourceAction, worseAction, worstAction, summarize, buildPlanReport, hasChanges } from './impact.js';
export { formatPlanText, renderPlanText, type TextOptions } from './render-text.js';
export { planJson, renderPlanJson, writePlanJson, type JsonPlan } from './render-json.js';
export { renderPlanMarkdown, writePlanMarkdown, DEFAULT_MAX_MARKDOWN, type MarkdownOptions } from './render-markdown.js';
export { formatApplyText, renderApplyText, renderApplyJson, renderApplyMarkdown } from './render-apply.js';
export { planSummaryLine, applySummaryLine, applyFailureLine, NO_CHANGES } from './render-format.js';
export { parsePointer, formatPointer } from './pointer.js';
