import { Notebook } from "@cdktf/provider-databricks/lib/notebook";
import { WorkspaceFile } from "@cdktf/provider-databricks/lib/workspace-file";
import { AssetType, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { basename } from "node:path";

/** A file of the repo to upload, by the name YAML uses for it. */
export interface SourceFile {
  /** The file's name without its extension; also its construct id. */
  readonly name: string;
  /** Path of the file on disk. */
  readonly file: string;
}

export interface NotebookFile extends SourceFile {
  readonly language: "PYTHON" | "SQL";
}

export interface NotebooksProps {
  /** Notebooks in Databricks source format. */
  readonly notebooks: readonly NotebookFile[];
  /** Workspace folder they are uploaded to, each as `<folder>/<name>`. */
  readonly workspaceDir: string;
}

/**
 * Each file as a Terraform asset (so its path in the Terraform stays relative to the stack folder) and the
 * resource `create` makes of it, with the file's name as its construct id.
 */
function uploadEach<F extends SourceFile, R>(
  scope: Construct,
  files: readonly F[],
  create: (file: F, source: string) => R,
): Map<string, R> {
  return new Map(
    files.map((file) => {
      const asset = new TerraformAsset(scope, `${file.name}_source`, {
        path: file.file,
        type: AssetType.FILE,
      });
      return [file.name, create(file, asset.path)];
    }),
  );
}

/** Uploads notebooks in their language to the workspace. */
export class Notebooks extends Construct {
  private readonly notebooks: Map<string, Notebook>;

  constructor(scope: Construct, id: string, props: NotebooksProps) {
    super(scope, id);
    this.notebooks = uploadEach(this, props.notebooks, ({ name, language }, source) => {
      return new Notebook(this, name, { path: `${props.workspaceDir}/${name}`, source, language });
    });
  }

  get(name: string): Notebook {
    const notebook = this.notebooks.get(name);
    if (!notebook) throw new Error(`no notebook '${name}' was uploaded`);
    return notebook;
  }
}

export interface SqlFilesProps {
  /** Plain SQL files, run by SQL file tasks on a warehouse. */
  readonly files: readonly SourceFile[];
  /** Workspace folder they are uploaded to, each as `<folder>/<file name>`. */
  readonly workspaceDir: string;
}

/** Uploads SQL files as workspace files, which a job's SQL file task runs on a SQL warehouse. */
export class SqlFiles extends Construct {
  private readonly files: Map<string, WorkspaceFile>;

  constructor(scope: Construct, id: string, props: SqlFilesProps) {
    super(scope, id);
    this.files = uploadEach(this, props.files, ({ name, file }, source) => {
      return new WorkspaceFile(this, name, { path: `${props.workspaceDir}/${basename(file)}`, source });
    });
  }

  get(name: string): WorkspaceFile {
    const file = this.files.get(name);
    if (!file) throw new Error(`no SQL file '${name}' was uploaded`);
    return file;
  }
}
