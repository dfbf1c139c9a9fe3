// What a DSS group holds besides its name: the global permission flags (DSS's names, every one false unless set)
// and the lists of external group names mapped onto it, one per identity source.

/** The global permissions of a group in DSS 13 (`GET /admin/groups/{name}`), `admin` first. */
export const GROUP_PERMISSION_FLAGS = [
  'admin',
  'mayManageUDM',
  'mayCreateProjects',
  'mayCreateProjectsFromMacros',
  'mayCreateProjectsFromTemplates',
  'mayCreateProjectsFromDataikuApps',
  'mayWriteUnsafeCode',
  'mayWriteSafeCode',
  'mayCreateAuthenticatedConnections',
  'mayCreateCodeEnvs',
  'mayCreateClusters',
  'mayCreateCodeStudioTemplates',
  'mayDevelopPlugins',
  'mayEditLibFolders',
  'mayManageCodeEnvs',
  'mayManageClusters',
  'mayManageCodeStudioTemplates',
  'mayViewIndexedHiveConnections',
  'mayCreatePublishedAPIServices',
  'mayCreatePublishedProjects',
  'mayWriteInRootProjectFolder',
  'mayCreateActiveWebContent',
  'mayCreateWorkspaces',
  'mayShareToWorkspaces',
  'mayCreateDataCollections',
  'mayPublishToDataCollections',
  'mayManageFeatureStore',
  'mayManageEnterpriseAssetLibrary',
  'mayCreateEnterpriseAssetCollections',
] as const;

/** External groups mapped onto a DSS group: LDAP, SSO, Azure AD, custom authenticators. */
export const GROUP_MAPPING_LISTS = ['ldapGroupNames', 'ssoGroupNames', 'azureADGroupNames', 'customGroupNames'] as const;

/** Groups a fresh DSS has: a user may be in them without a Group document declaring them. */
export const BUILT_IN_GROUPS: ReadonlySet<string> = new Set(['administrators']);
