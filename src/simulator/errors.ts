// DSS error bodies. Handlers throw these; the server turns them into
// `{errorType, message, detailedMessage}` with the status DSS uses.

export const ERROR_TYPES = {
  notFound: 'com.dataiku.dip.server.controllers.NotFoundException',
  illegalArgument: 'java.lang.IllegalArgumentException',
  unauthorized: 'com.dataiku.dip.exceptions.UnauthorizedException',
  security: 'com.dataiku.dip.exceptions.DKUSecurityException',
  conflict: 'com.dataiku.dip.exceptions.CodedException',
  internal: 'java.lang.IllegalStateException',
} as const;

export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
    readonly detailedMessage: string = message,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody(): { errorType: string; message: string; detailedMessage: string } {
    return { errorType: this.errorType, message: this.message, detailedMessage: this.detailedMessage };
  }
}

export const notFound = (message: string): SimHttpError => new SimHttpError(404, ERROR_TYPES.notFound, message);
export const illegalArgument = (message: string): SimHttpError =>
  new SimHttpError(400, ERROR_TYPES.illegalArgument, message);
export const conflict = (message: string): SimHttpError => new SimHttpError(409, ERROR_TYPES.conflict, message);
export const unauthorized = (message: string): SimHttpError =>
  new SimHttpError(401, ERROR_TYPES.unauthorized, message);
export const forbidden = (message: string): SimHttpError => new SimHttpError(403, ERROR_TYPES.security, message);
