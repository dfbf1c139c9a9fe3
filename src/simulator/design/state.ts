// State of the design-node API: project folders, projects, scenarios and their runs.

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by the design-node routes
export interface DesignState {}

export function createDesignState(): DesignState {
  return {};
}
