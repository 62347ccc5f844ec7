import { apiDocLinks } from './api-doc-links';
import { initScript, swaggerUiSettings } from './docs-portal';

describe('docs portal', () => {
  it('offers the gateway spec and each available service, opening on booking', () => {
    expect(swaggerUiSettings(apiDocLinks(['booking', 'storage-assign']))).toMatchObject({
      urls: [
        { name: 'gateway', url: '/docs-json' },
        { name: 'booking', url: '/docs/services/booking/openapi.json' },
        { name: 'storage-assign', url: '/docs/services/storage-assign/openapi.json' },
      ],
      'urls.primaryName': 'booking',
      persistAuthorization: true,
      validatorUrl: null,
    });
  });

  it('opens on the gateway spec when no service answers', () => {
    expect(swaggerUiSettings(apiDocLinks([]))).toMatchObject({ 'urls.primaryName': 'gateway' });
  });

  it('builds an init script that embeds the settings and adds the browser-side presets', () => {
    const script = initScript(apiDocLinks(['payment']));
    expect(script).toContain(JSON.stringify(swaggerUiSettings(apiDocLinks(['payment']))));
    expect(script).toContain('SwaggerUIBundle(settings)');
  });
});
