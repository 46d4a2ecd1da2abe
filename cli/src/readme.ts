// The block of a plugin's README that is generated from its manifest: the configuration table,
// then how to deploy the first example on Higress, Istio and a plain Envoy (sluice deploy's output).
import { deployYaml } from "./commands/deploy.js";
import { configTableMarkdown, withConfigTable, type Manifest } from "./manifest.js";

export function deploySection(m: Manifest): string {
  const config = m.examples[0].config;
  const image = `registry.example.com/plugins/${m.name}:${m.version}`;
  const block = (title: string, cmd: string, yaml: string) =>
    `<details><summary>${title} (<code>${cmd}</code>)</summary>\n\n\`\`\`yaml\n${yaml.trimEnd()}\n\`\`\`\n\n</details>`;
  return [
    `**Deploying** the example above (${m.examples[0].title}):`,
    "",
    block("Higress", `sluice deploy ${m.name} --for higress --image ${image}`, deployYaml(m, config, { for: "higress", image })),
    "",
    block("Istio", `sluice deploy ${m.name} --for istio --image ${image}-envoy`, deployYaml(m, config, { for: "istio", image: `${image}-envoy` })),
    "",
    block("Envoy", `sluice deploy ${m.name} --for envoy`, deployYaml(m, config, { for: "envoy" })),
  ].join("\n");
}

export function readmeBlock(m: Manifest): string {
  return configTableMarkdown(m, deploySection(m));
}

export function withReadmeBlock(readme: string, m: Manifest): string {
  return withConfigTable(readme, m, deploySection(m));
}
