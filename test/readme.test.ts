/**
 * README.zh-CN.md keeps step with README.md: a configuration key documented in one is documented in the
 * other. The keys are read from the configuration reference's tables (first column, in backticks, between
 * the `config-reference` markers), so a new key only needs documenting, in both.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..");

/** The first cell's backticked names of every table row in the file's configuration reference. */
export function documentedKeys(markdown: string): string[] {
  const section = /<!-- config-reference[^>]*-->([\s\S]*?)<!-- \/config-reference -->/.exec(markdown);
  if (!section) throw new Error("no <!-- config-reference --> … <!-- /config-reference --> section");
  const keys = new Set<string>();
  for (const line of section[1].split("\n")) {
    const cell = /^\|([^|]*)\|/.exec(line)?.[1];
    for (const m of cell?.matchAll(/`([^`]+)`/g) ?? []) keys.add(m[1]);
  }
  return [...keys].sort();
}

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

describe("README.zh-CN.md", () => {
  const english = documentedKeys(read("README.md"));
  const chinese = documentedKeys(read("README.zh-CN.md"));

  it("documents every configuration key README.md documents, and no other", () => {
    expect(english.length).toBeGreaterThan(30);
    expect(
      chinese.filter((k) => !english.includes(k)),
      "documented only in README.zh-CN.md",
    ).toEqual([]);
    expect(
      english.filter((k) => !chinese.includes(k)),
      "documented only in README.md",
    ).toEqual([]);
  });

  it("and README.md documents every key Pulumi.yaml declares", () => {
    const declared = Object.keys((yaml.load(read("Pulumi.yaml")) as { config: object }).config);
    const documented = new Set(english.flatMap((k) => k.split(" / ")));
    expect(declared.filter((k) => !documented.has(k))).toEqual([]);
  });

  it("has the walkthrough, the plan without the CLI and troubleshooting", () => {
    const text = read("README.zh-CN.md");
    for (const heading of ["## 本地试用", "## 从零开始", "## 不装 CLI 查看计划", "## 配置参考", "## 故障排查"])
      expect(text).toContain(`\n${heading}\n`);
  });
});
