import { AwsCallError, assumeRoleWithWebIdentity, awsJsonCall, type TemporaryCredentials } from "./aws";

export interface GuestCredentialSettings {
  readonly identityPoolId: string;
  readonly guestRoleArn: string;
  readonly cognitoEndpoint: string;
  readonly stsEndpoint: string;
}

// Fetch new credentials this long before the old ones expire, so no call is signed with dying keys.
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/**
 * Guest credentials through Cognito's basic (classic) flow: GetId → GetOpenIdToken → STS
 * AssumeRoleWithWebIdentity. The enhanced flow would scope guests with a session policy that allows no
 * Kinesis action, so it cannot write to the stream.
 */
export class GuestCredentials {
  private current?: TemporaryCredentials;
  private pending?: Promise<TemporaryCredentials>;

  constructor(
    private readonly settings: GuestCredentialSettings,
    private readonly storage: Pick<Storage, "getItem" | "setItem"> | undefined,
  ) {}

  /** Valid credentials, fetched or refreshed as needed; concurrent callers share one fetch. */
  async get(): Promise<TemporaryCredentials> {
    if (this.current && this.current.expiration.getTime() - Date.now() > REFRESH_MARGIN_MS)
      return this.current;
    this.pending ??= this.fetchCredentials().finally(() => (this.pending = undefined));
    this.current = await this.pending;
    return this.current;
  }

  /** Forget the current credentials, e.g. after AWS called them expired (a phone clock can be off). */
  invalidate(): void {
    this.current = undefined;
  }

  private async fetchCredentials(): Promise<TemporaryCredentials> {
    const storageKey = `lakestack.identity.${this.settings.identityPoolId}`;
    const remembered = this.read(storageKey);
    let token: string;
    try {
      token = await this.openIdToken(remembered ?? (await this.newIdentity(storageKey)));
    } catch (error) {
      // A remembered identity can vanish (the pool was recreated): start over once with a new one.
      const stale =
        error instanceof AwsCallError &&
        (error.code === "ResourceNotFoundException" || error.code === "NotAuthorizedException");
      if (!remembered || !stale) throw error;
      token = await this.openIdToken(await this.newIdentity(storageKey));
    }
    return assumeRoleWithWebIdentity(
      this.settings.stsEndpoint,
      this.settings.guestRoleArn,
      token,
      `lakestack-web-${Date.now()}`,
    );
  }

  private async newIdentity(storageKey: string): Promise<string> {
    const { IdentityId } = await awsJsonCall<{ IdentityId?: string }>(
      this.settings.cognitoEndpoint,
      "AWSCognitoIdentityService.GetId",
      { IdentityPoolId: this.settings.identityPoolId },
    );
    if (!IdentityId) throw new AwsCallError("MalformedResponse", "GetId returned no IdentityId", 200);
    this.write(storageKey, IdentityId);
    return IdentityId;
  }

  private async openIdToken(identityId: string): Promise<string> {
    const { Token } = await awsJsonCall<{ Token?: string }>(
      this.settings.cognitoEndpoint,
      "AWSCognitoIdentityService.GetOpenIdToken",
      { IdentityId: identityId },
    );
    if (!Token) throw new AwsCallError("MalformedResponse", "GetOpenIdToken returned no Token", 200);
    return Token;
  }

  // Storage can be missing or throw (private browsing); the page then just asks for a new identity each load.
  private read(key: string): string | null {
    try {
      return this.storage?.getItem(key) ?? null;
    } catch {
      return null;
    }
  }

  private write(key: string, value: string): void {
    try {
      this.storage?.setItem(key, value);
    } catch {
      // Not remembered: harmless.
    }
  }
}
