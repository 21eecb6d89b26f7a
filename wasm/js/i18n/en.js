// English texts of the platform data (PlatformInfo in index.d.ts), by platform id. The
// Vietnamese originals live with the connectors (src/connectors/*.cpp) and are the source: keep
// these faithful to them. `example` is given only where the Vietnamese one is language-specific
// ("tencuahang" = "shop name"); otherwise the module's own example is kept.
// tests/js/i18n.test.js fails when a platform, credential or setting has no text here.
//
// The platforms' own admin pages are mostly Vietnamese: menu paths below are translated, in the
// order the Vietnamese help gives them, so they can be matched step by step.

export const platforms = {
  kiotviet: {
    description: 'Popular sales-management software for retail shops.',
    credentials: {
      retailer: {
        label: 'Shop name',
        help: 'Your KiotViet shop name, the first part of the address you sign in at (for example myshop in myshop.kiotviet.vn).',
        example: 'myshop',
      },
      clientId: {
        label: 'Client ID',
        help: 'On KiotViet: Settings → View all → "API connection settings" in the sidebar; copy the Client ID.',
      },
      clientSecret: {
        label: 'Secret Key',
        help: 'On the same KiotViet "API connection settings" page, copy the Secret Key.',
      },
    },
    settings: {
      branchId: {
        label: 'Branch',
        help: 'When the shop has several branches, choose the branch whose stock and orders are synced.',
      },
      invoicesAsOrders: {
        label: 'Take sales invoices as orders',
        help: 'Turn on when the shop sells at the counter (POS): counter sales create only an invoice, never an order. On: every invoice (walk-in customers too) is an order; off: only order slips are read.',
      },
    },
  },

  sapo: {
    description: 'Sapo multichannel sales-management platform (Sapo Web, Sapo Omnichannel).',
    credentials: {
      store: {
        label: 'Shop name',
        help: 'Your Sapo shop name: the first part of your admin address (myshop in myshop.mysapo.net). You can paste the whole address.',
        example: 'myshop',
      },
      apiKey: {
        label: 'API Key',
        help: 'On Sapo: Apps → Private apps → Create private app, grant "Read and write" on Products, Orders and Customers, then Save; copy the API Key.',
      },
      apiSecret: {
        label: 'API Secret',
        help: 'On the same private app page on Sapo, right below the API Key (press Show to see it).',
      },
    },
    settings: {},
  },

  haravan: {
    description: 'Haravan multichannel commerce platform.',
    credentials: {
      shop: {
        label: 'Shop name',
        help: "The shop's Haravan domain: my-shop or my-shop.myharavan.com (the name before .myharavan.com).",
        example: 'my-shop',
      },
      accessToken: {
        label: 'Access Token',
        help: 'On Haravan: Apps → Private apps → Create private app, grant Read & Write on Products, Orders and Customers (plus read access to Shop information and Inventory), then copy the Access Token.',
      },
      webhookSecret: {
        label: 'Webhook authentication string',
        help: 'Only needed when the shop creates webhooks to StoreLink: on Haravan go to Settings → Notifications → Webhooks and copy the webhook authentication string shown at the bottom of the page. StoreLink checks signatures with it; webhooks without the right signature are refused.',
      },
    },
    settings: {},
  },

  nhanh: {
    description: 'Nhanh.vn multichannel sales-management software (Open API v3).',
    credentials: {
      account: {
        label: 'Email or phone number',
        help: 'The sign-in email or phone number of an account with the Director role on Nhanh.vn. After saving, you are taken to Nhanh.vn to sign in and allow StoreLink access.',
        example: 'director@myshop.vn',
      },
      accessToken: {
        label: 'Access token',
        help: 'Issued by Nhanh.vn once you allow access; valid for 1 year and cannot be renewed (connect again when it expires).',
      },
      businessId: {
        label: 'Business ID (businessId)',
        help: 'Returned by Nhanh.vn together with the access token.',
      },
      appId: {
        label: 'App ID',
        help: "StoreLink's app ID on open.nhanh.vn (server configuration).",
      },
      secretKey: {
        label: 'Secret key',
        help: "The secret key of StoreLink's app on open.nhanh.vn (server configuration).",
      },
    },
    settings: {
      taxSync: {
        label: 'Sync taxes',
        help: 'Turn on to sync product tax rates (VAT) and order tax amounts; when off, tax fields stay empty and order prices include VAT.',
      },
    },
  },

  pancake: {
    description: 'Pancake POS multichannel sales software.',
    credentials: {
      apiKey: {
        label: 'API key',
        help: 'Pancake POS → Configuration → App configuration → API KEY: create a key and copy it.',
      },
      shopId: {
        // "x-store-id" stays: the webhook step shows it as the request header's name.
        label: 'Shop ID (x-store-id)',
        help: 'The number in your Pancake POS shop address (for example 1234567 in pos.pages.fm/shop/1234567); choose it after the API key is checked.',
      },
    },
    settings: {},
  },

  odoo: {
    description: 'Odoo ERP (versions 14 to 19; Odoo Online, Odoo.sh or your own server).',
    credentials: {
      url: {
        label: 'Odoo address',
        help: "The address you open Odoo at in your browser, for example https://mycompany.odoo.com or your company's own domain.",
        example: 'https://mycompany.odoo.com',
      },
      database: {
        label: 'Database name',
        help: 'On Odoo Online it usually matches the first part of the address (mycompany in mycompany.odoo.com). On your own server or Odoo.sh: see the /web/database/selector page or ask your administrator.',
        example: 'mycompany',
      },
      login: {
        label: 'Login',
        help: 'The email (login) of the Odoo user that syncs. Best create a dedicated user with Sales and Inventory rights.',
        example: 'sync@mycompany.com',
      },
      apiKey: {
        label: 'API key (or password)',
        help: 'In Odoo: click your avatar → My Profile / Preferences → Account Security tab → New API Key, give it a name (for example StoreLink) and copy the key right away: Odoo shows it only once. An API key is required when two-factor authentication is on; from Odoo 19 a key lasts at most 3 months. Odoo Online allows the API only on the Custom plan: the Standard and One App Free plans are refused.',
      },
    },
    settings: {},
  },

  getfly: {
    description: 'Getfly CRM customer and sales management software (API v6.1).',
    credentials: {
      domain: {
        label: 'Getfly address',
        help: 'The address you sign in to Getfly at, like mycompany.getflycrm.com (you can paste the whole link).',
        example: 'mycompany.getflycrm.com',
      },
      apiKey: {
        label: 'API Key',
        help: "On Getfly: Settings → Integrations → Integrate other software → Getfly API Key; create one (if there is none yet), then copy the key (about 30 characters). The key can read all of the company's data.",
      },
    },
    settings: {},
  },

  misa: {
    description: 'MISA eShop sales-management software (mShopKeeper), connected through the MISA Open Platform.',
    credentials: {
      domain: {
        label: 'Shop domain (Domain)',
        help: "Your shop's domain on MISA eShop, for example myshop.mshopkeeper.vn — exactly as in the Domain field of the app connection page.",
        example: 'myshop.mshopkeeper.vn',
      },
      appId: {
        label: 'AppID',
        help: 'On MISA eShop, go to Settings → App connections (Open Platform), turn the connection on and copy the AppID.',
      },
      secretKey: {
        label: 'Secret key',
        help: 'On the same App connections page, copy the Secret key (a 64-character string). It is kept only on the StoreLink server to sign sign-in requests and is never sent back to the browser.',
      },
    },
    settings: {},
  },
};
