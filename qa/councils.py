"""Names of English children's services authorities, to recognise a council in a question
even when the index holds no letter for it (so the answer can say so, not guess).

But: - a name only counts when written with its capitals ("Reading", not "reading");
councils that are in the index are matched case-insensitively elsewhere.
"""

AUTHORITIES = """
Barking and Dagenham|Barnet|Bexley|Brent|Bromley|Camden|City of London|Croydon|Ealing|Enfield|Greenwich|Hackney|
Hammersmith and Fulham|Haringey|Harrow|Havering|Hillingdon|Hounslow|Islington|Kensington and Chelsea|
Kingston upon Thames|Lambeth|Lewisham|Merton|Newham|Redbridge|Richmond upon Thames|Southwark|Sutton|Tower Hamlets|
Waltham Forest|Wandsworth|Westminster|Barnsley|Birmingham|Bolton|Bradford|Bury|Calderdale|Coventry|Doncaster|Dudley|
Gateshead|Kirklees|Knowsley|Leeds|Liverpool|Manchester|Newcastle upon Tyne|Newcastle|North Tyneside|Oldham|Rochdale|
Rotherham|St Helens|Salford|Sandwell|Sefton|Sheffield|Solihull|South Tyneside|Stockport|Sunderland|Tameside|Trafford|
Wakefield|Walsall|Wigan|Wirral|Wolverhampton|Bedfordshire|Buckinghamshire|Cambridgeshire|Cheshire|Cornwall|Cumbria|
Derbyshire|Devon|Dorset|Durham|East Sussex|Essex|Gloucestershire|Hampshire|Hertfordshire|Isle of Wight|Kent|
Lancashire|Leicestershire|Lincolnshire|Norfolk|North Yorkshire|Northamptonshire|Northumberland|Nottinghamshire|
Oxfordshire|Shropshire|Somerset|Staffordshire|Suffolk|Surrey|Warwickshire|West Sussex|Wiltshire|Worcestershire|
Bath and North East Somerset|Bedford|Blackburn with Darwen|Blackpool|Bournemouth|Bracknell Forest|Brighton and Hove|
Bristol|Central Bedfordshire|Cheshire East|Cheshire West and Chester|Darlington|Derby|East Riding of Yorkshire|Halton|
Hartlepool|Herefordshire|Isles of Scilly|Kingston upon Hull|Hull|Leicester|Luton|Medway|Middlesbrough|Milton Keynes|
North East Lincolnshire|North Lincolnshire|North Somerset|Nottingham|Peterborough|Plymouth|Poole|Portsmouth|Reading|
Redcar and Cleveland|Rutland|Slough|South Gloucestershire|Southampton|Southend-on-Sea|Stockton-on-Tees|Stoke-on-Trent|
Swindon|Telford and Wrekin|Thurrock|Torbay|Warrington|West Berkshire|Windsor and Maidenhead|Wokingham|York
"""

KNOWN_AUTHORITIES = tuple(sorted({name.strip() for name in AUTHORITIES.replace("\n", "").split("|") if name.strip()},
                                 key=len, reverse=True))
