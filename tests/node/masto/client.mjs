// masto.js clients for a test's input ({base_url, token}).
import { createRestAPIClient, createStreamingAPIClient } from "masto";

export const rest = (input) => createRestAPIClient({ url: input.base_url, accessToken: input.token });

export async function streaming(input) {
  const instance = await rest(input).v2.instance.fetch();
  return createStreamingAPIClient({ streamingApiUrl: instance.configuration.urls.streaming,
    accessToken: input.token });
}
