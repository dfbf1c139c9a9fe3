// Terraform's exit codes: 0 success and nothing to change, 1 error, 2 changes present.

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_CHANGES = 2;
