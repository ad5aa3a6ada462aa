import { fileURLToPath, pathToFileURL } from 'node:url';
import { OpenDalCheckpointStore, type OpenDalStoreOptions } from './opendal-store.js';
import { assertSafeName } from './store.js';

/** How a URL's authority (the part after `scheme://`) configures an OpenDAL service. */
type Authority = 'bucket' | 'container' | 'filesystem' | 'endpoint' | 'none';

interface ServiceMapping {
  service: string;
  authority: Authority;
  /** For `endpoint` authorities: the protocol the endpoint speaks. */
  protocol?: 'http' | 'https';
}

/** URL schemes served through OpenDAL (those its npm binding 0.47 is built with, and that can write). */
const SCHEMES: Record<string, ServiceMapping> = {
  s3: { service: 's3', authority: 'bucket' },
  gs: { service: 'gcs', authority: 'bucket' },
  gcs: { service: 'gcs', authority: 'bucket' },
  azblob: { service: 'azblob', authority: 'container' },
  abfs: { service: 'azdls', authority: 'filesystem' },
  azdls: { service: 'azdls', authority: 'filesystem' },
  oss: { service: 'oss', authority: 'bucket' },
  cos: { service: 'cos', authority: 'bucket' },
  obs: { service: 'obs', authority: 'bucket' },
  webdav: { service: 'webdav', authority: 'endpoint', protocol: 'http' },
  webdavs: { service: 'webdav', authority: 'endpoint', protocol: 'https' },
  webhdfs: { service: 'webhdfs', authority: 'endpoint', protocol: 'http' },
  memory: { service: 'memory', authority: 'none' },
};

export const OPENDAL_SCHEMES = Object.keys(SCHEMES);

/** A value `storeOptions` may hold for an OpenDAL service; numbers and booleans become strings. */
export type StoreOptionValue = string | number | boolean | undefined | object;

/**
 * Azure's connection string (`AccountName=…;AccountKey=…;BlobEndpoint=…`, as the Azure tools and
 * Azurite print it) as OpenDAL azblob options.
 */
export function azureConnectionString(text: string): Record<string, string> {
  const parts = new Map<string, string>();
  for (const piece of text.split(';')) {
    const eq = piece.indexOf('=');
    if (eq > 0) parts.set(piece.slice(0, eq).trim().toLowerCase(), piece.slice(eq + 1).trim());
  }
  const out: Record<string, string> = {};
  const account = parts.get('accountname');
  if (account) out.account_name = account;
  if (parts.get('accountkey')) out.account_key = parts.get('accountkey')!;
  if (parts.get('sharedaccesssignature')) out.sas_token = parts.get('sharedaccesssignature')!;
  const endpoint = parts.get('blobendpoint');
  if (endpoint) out.endpoint = endpoint.replace(/\/+$/, '');
  else if (account) out.endpoint = `${parts.get('defaultendpointsprotocol') ?? 'https'}://${account}.blob.${parts.get('endpointsuffix') ?? 'core.windows.net'}`;
  return out;
}

/** Defaults each service takes from its platform's standard environment variables. */
function fromEnv(service: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  const set = (key: string, value: string | undefined) => {
    if (value) out[key] = value;
  };
  if (service === 's3') {
    set('endpoint', env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL);
    set('region', env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1');
  } else if (service === 'azblob') {
    if (env.AZURE_STORAGE_CONNECTION_STRING) Object.assign(out, azureConnectionString(env.AZURE_STORAGE_CONNECTION_STRING));
    set('account_name', env.AZURE_STORAGE_ACCOUNT);
    set('account_key', env.AZURE_STORAGE_KEY);
    set('sas_token', env.AZURE_STORAGE_SAS_TOKEN);
  } else if (service === 'gcs') {
    set('credential_path', env.GOOGLE_APPLICATION_CREDENTIALS);
  }
  return out;
}

/**
 * `storeOptions` as OpenDAL configuration: OpenDAL's own names pass through (`account_key`,
 * `credential`, …); the S3 store's names are translated (`credentials`, `forcePathStyle`), and
 * `connection_string` expands for Azure Blob. `maxAttempts` is the store's, not the service's.
 */
function toConfig(service: string, options: Record<string, StoreOptionValue>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || key === 'maxAttempts') continue;
    if (key === 'credentials' && typeof value === 'object') {
      const c = value as { accessKeyId?: string; secretAccessKey?: string; sessionToken?: string };
      if (c.accessKeyId) out.access_key_id = c.accessKeyId;
      if (c.secretAccessKey) out.secret_access_key = c.secretAccessKey;
      if (c.sessionToken) out.session_token = c.sessionToken;
    } else if (key === 'forcePathStyle') {
      // Only S3 has virtual-host addressing; OpenDAL's default is path style.
      if (service === 's3' && value === false) out.enable_virtual_host_style = 'true';
    } else if (key === 'connection_string' && service === 'azblob') {
      Object.assign(out, azureConnectionString(String(value)));
    } else if (typeof value === 'object') {
      throw new Error(`storeOptions.${key}: OpenDAL options are strings, numbers or booleans (${service} got an object)`);
    } else {
      out[key] = String(value);
    }
  }
  return out;
}

const attempts = (options: Record<string, StoreOptionValue>) => (typeof options.maxAttempts === 'number' ? options.maxAttempts : undefined);

/**
 * The OpenDAL store a URL names: `<scheme>://<authority>/<prefix>`, the authority being the
 * bucket, container, filesystem or server the scheme's table entry says; `prefix` becomes the
 * store's root; `file:` URLs give OpenDAL's `fs`. Options override what the URL and the environment
 * give. Returns undefined for a scheme OpenDAL does not serve here.
 */
export function openDalTarget(
  target: string,
  options: Record<string, StoreOptionValue> = {},
  env: NodeJS.ProcessEnv = process.env,
): OpenDalStoreOptions | undefined {
  if (/^file:/i.test(target)) {
    const root = fileURLToPath(target);
    return { service: 'fs', config: { root, ...toConfig('fs', options) }, url: pathToFileURL(root).href, maxAttempts: attempts(options) };
  }
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)\/?(.*)$/i.exec(target);
  const mapping = m ? SCHEMES[m[1].toLowerCase()] : undefined;
  if (!m || !mapping) return undefined;
  const scheme = m[1].toLowerCase();
  const authority = m[2];
  const prefix = m[3].replace(/\/+$/, '');
  if (prefix !== '') assertSafeName(prefix, 'store prefix');
  const config: Record<string, string> = { ...fromEnv(mapping.service, env) };
  if (mapping.authority === 'endpoint') {
    if (!authority) throw new Error(`checkpoint URL ${scheme}://…: needs a host (${scheme}://host:port/prefix)`);
    config.endpoint = `${mapping.protocol}://${authority}`;
  } else if (mapping.authority !== 'none') {
    if (!authority) throw new Error(`checkpoint URL ${target}: needs a ${mapping.authority} (${scheme}://${mapping.authority}/prefix)`);
    config[mapping.authority] = authority;
  }
  config.root = `/${prefix}${prefix ? '/' : ''}`;
  Object.assign(config, toConfig(mapping.service, options));
  if (mapping.service === 'azblob' && !config.endpoint && config.account_name) config.endpoint = `https://${config.account_name}.blob.core.windows.net`;
  return { service: mapping.service, config, url: `${scheme}://${authority}/${prefix}${prefix ? '/' : ''}`, maxAttempts: attempts(options) };
}

/** An OpenDAL store for any URL `openDalTarget` reads, `s3://` and `file:` included (openStore serves those natively). */
export function openDalStore(target: string, options: Record<string, StoreOptionValue> = {}): OpenDalCheckpointStore {
  const resolved = openDalTarget(target, options);
  if (!resolved) throw new Error(`OpenDAL serves no checkpoint URL scheme like ${target} here (supported: file:, ${OPENDAL_SCHEMES.map((s) => `${s}://`).join(', ')})`);
  return new OpenDalCheckpointStore(resolved);
}
