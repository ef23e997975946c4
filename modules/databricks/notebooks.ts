import { Notebook } from "@cdktf/provider-databricks/lib/notebook";
import { AssetType, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { join } from "node:path";

/** The repo's notebooks, by name (file name without `.py`). */
export const NOTEBOOK_FILES = ["events_pipeline", "device_max", "magnitude_heatmap"] as const;
export type NotebookName = (typeof NOTEBOOK_FILES)[number];

export interface NotebooksProps {
  /** Folder holding `<name>.py` in Databricks source format. */
  readonly sourceDir: string;
  /** Workspace folder they are uploaded to. */
  readonly workspaceDir: string;
}

/** Uploads the notebooks as assets, so their paths in the Terraform stay relative to the stack folder. */
export class Notebooks extends Construct {
  private readonly notebooks = new Map<NotebookName, Notebook>();

  constructor(scope: Construct, id: string, props: NotebooksProps) {
    super(scope, id);
    for (const name of NOTEBOOK_FILES) {
      const asset = new TerraformAsset(this, `${name}_source`, {
        path: join(props.sourceDir, `${name}.py`),
        type: AssetType.FILE,
      });
      this.notebooks.set(
        name,
        new Notebook(this, name, {
          path: `${props.workspaceDir}/${name}`,
          source: asset.path,
          language: "PYTHON",
        }),
      );
    }
  }

  get(name: NotebookName): Notebook {
    return this.notebooks.get(name)!;
  }
}
