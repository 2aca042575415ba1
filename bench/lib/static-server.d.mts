export function startStaticServer(mounts: Record<string, string>): Promise<{ url: string; close(): Promise<void> }>;
