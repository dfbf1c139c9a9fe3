// The generated manifests tree of the benchmark and the soak tests: N projects (metadata, variables, grants for two
// groups, optionally in a folder) each with M step-based scenarios with a trigger, one YAML file per project, as a
// team's repository holds them.

import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export interface GeneratedProject {
  key: string;
  /** The project's number: names and values vary with it. */
  index: number;
  scenarios: number;
  /** A project folder path (`Soak/Group1`); none by default. */
  folder?: string;
}

/** One project's file: its Project document, then its scenarios. */
export function projectYaml(p: GeneratedProject): string {
  const { key, index: i } = p;
  const docs = [
    `apiVersion: dss-gitops/v1
kind: Project
metadata:
  name: ${key}
spec:
  name: Generated project ${i}
${p.folder === undefined ? '' : `  folder: ${p.folder}\n`}  owner: admin
  shortDesc: Generated project ${i}
  description: A generated project.
  tags: [generated, group-${i % 5}]
  custom:
    team: team-${i % 7}
  variables:
    standard:
      threshold: 0.${i % 10}
      index: ${i}
      region: EMEA
    local:
      rows: ${1000 + i}
  permissions:
    - group: data_scientists
      readProjectContent: true
      writeProjectContent: true
    - group: business_analysts
      readProjectContent: true
      readDashboards: true
`,
  ];
  for (let s = 0; s < p.scenarios; s++) {
    docs.push(`apiVersion: dss-gitops/v1
kind: Scenario
metadata:
  name: SCENARIO_${s}
  project: ${key}
spec:
  name: Scenario ${s} of ${key}
  type: step_based
  active: ${s % 2 === 0}
  description: Step ${s}
  params:
    steps:
      - id: build
        type: build_flowitem
        name: Build output ${s}
        params:
          builds:
            - type: DATASET
              itemId: output_${s}
  triggers:
    - id: nightly
      type: temporal
      name: Every night
      params: {frequency: Daily, hour: ${s % 24}, minute: ${i % 60}}
`);
  }
  return docs.join('---\n');
}

/**
 * Writes one file per project into `dir`. Returns the number of objects a plan reads: per project its metadata,
 * variables and permissions, and each scenario (folders aside).
 */
export function writeProjectFiles(dir: string, projects: GeneratedProject[]): number {
  mkdirSync(dir, { recursive: true });
  for (const p of projects) writeFileSync(path.join(dir, `${p.key.toLowerCase()}.yaml`), projectYaml(p));
  return projects.reduce((n, p) => n + 3 + p.scenarios, 0);
}
